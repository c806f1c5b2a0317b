import { join, resolve } from 'node:path';
import { AppConfigSchema, configFile, loadAppConfigSchema } from './app-config-schema';
import { commandWords, ComposeFile, ComposeService, loadCompose, serviceEnv as serviceEnvUnder } from './compose-model';
import { parseDockerfile } from './dockerfile-stages';

/**
 * What the compose specs check in every compose file of the repository (docker-compose.yml, the
 * cluster shape's docker-compose.cluster.yml): its app services against what the apps really read,
 * their zod config schemas, and the Dockerfile's runtime stage they run in. No Docker needed.
 */
export const ROOT = resolve(__dirname, '..', '..');
export const stages = parseDockerfile(join(ROOT, 'Dockerfile'));
export const runtime = stages[stages.length - 1];

/** Vars the platform reads rather than the app's schema: Node itself, and the image's app selector. */
export const PLATFORM_VARS = ['NODE_ENV', 'NODE_OPTIONS', 'APP', 'TZ'];

/** The secrets an operator gives compose (shell or .env): compose has no default for any of them. */
export const OPERATOR_SECRETS = {
  RELAY_ADMIN_TOKEN: 'an-operator-relay-admin-token',
  BULL_BOARD_PASSWORD: 'an-operator-board-password',
  POSTGRES_PASSWORD: 'an-operator-db-password',
};
export const serviceEnv = (service: ComposeService) => serviceEnvUnder(service, OPERATOR_SECRETS);

const DIST_ENTRY = /^dist\/apps\/([a-z-]+)\/src\/main\.js$/;

/** ENV of the runtime stage: the container starts with these, compose's environment on top. */
export function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const args: Record<string, string> = {};
  for (const { keyword, args: text } of runtime.instructions) {
    if (keyword === 'ARG') {
      const [name, value = ''] = text.split('=');
      args[name] = value;
    }
    if (keyword === 'ENV') {
      for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
        env[m[1]] = m[2].replace(/^"|"$/g, '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n) => args[n] ?? '');
      }
    }
  }
  return env;
}

/** The app a service runs: `node dist/apps/<app>/src/main.js`, or the image's APP selector. */
function appOf(service: ComposeService): string | undefined {
  const words = commandWords(service);
  if (words.length > 0) return DIST_ENTRY.exec(words[words.length - 1])?.[1];
  if (service.build !== undefined) return serviceEnv(service).APP ?? imageEnv().APP;
  return undefined;
}

export interface AppService {
  name: string;
  service: ComposeService;
  app: string;
}

export interface ComposeApps {
  compose: ComposeFile;
  services: Record<string, ComposeService>;
  appServices: AppService[];
  schemas: Map<string, AppConfigSchema>;
  /** The PORT an app service listens on (its env, else its schema's default). */
  portOf(name: string): number;
}

export function composeApps(file: string): ComposeApps {
  const compose = loadCompose(join(ROOT, file));
  const services = compose.services;
  const appServices = Object.entries(services)
    .map(([name, service]) => ({ name, service, app: appOf(service) }))
    .filter((s): s is AppService => s.app !== undefined);
  const schemas = new Map<string, AppConfigSchema>(
    [...new Set(appServices.map((s) => s.app))].map((app) => {
      const schema = loadAppConfigSchema(app);
      if (!schema) throw new Error(`${configFile(app)} is missing: every app needs its zod config schema`);
      return [app, schema];
    }),
  );
  const portOf = (name: string) => {
    const { service, app } = appServices.find((s) => s.name === name)!;
    const raw = serviceEnv(service).PORT ?? (schemas.get(app)?.shape.PORT as { parse?: (v: unknown) => unknown })?.parse?.(undefined);
    return Number(raw);
  };
  return { compose, services, appServices, schemas, portOf };
}
