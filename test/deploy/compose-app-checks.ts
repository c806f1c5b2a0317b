import type { ComposeApps } from './compose-apps';
import { imageEnv, PLATFORM_VARS, serviceEnv } from './compose-apps';
import { containerPorts, healthcheckText } from './compose-model';

/**
 * The checks every app service of every compose file must pass, as jest tests of the calling
 * spec: its env is what its app's config schema reads and accepts, and it serves and probes its PORT.
 */
export function checkAppServices({ services, appServices, schemas, portOf }: Pick<ComposeApps, 'services' | 'appServices' | 'schemas' | 'portOf'>): void {
  describe.each(appServices.map((s) => [s.name, s.app] as const))('service %s (app %s)', (name, app) => {
    const schema = schemas.get(app)!;
    const service = services[name];
    const env = serviceEnv(service);

    it(`sets only variables ${app}'s config schema knows`, () => {
      const unknown = Object.keys(env).filter((k) => !schema.keys.includes(k) && !PLATFORM_VARS.includes(k));
      expect(unknown).toEqual([]);
    });

    it('sets every variable the schema requires without a default', () => {
      expect(schema.required.filter((k) => !(k in env) && !(k in imageEnv()))).toEqual([]);
    });

    it('loads its config from the container environment (image ENV + compose environment)', () => {
      expect(() => schema.load({ ...imageEnv(), ...env })).not.toThrow();
    });

    it('publishes or exposes only the PORT it listens on, and health-checks GET /health on that port', () => {
      const port = portOf(name);
      expect(port).toBeGreaterThan(0);
      const exposed = [...containerPorts(service), ...(service.expose ?? []).map(Number)];
      expect(exposed.length).toBeGreaterThan(0);
      expect(exposed.every((p) => p === port)).toBe(true);
      const probe = healthcheckText(service);
      expect(probe).toContain(`http://127.0.0.1:${port}/health`);
      // The runtime image has no curl or wget: the probe must be Node's.
      expect(probe).toMatch(/^CMD node -e /);
    });
  });
}
