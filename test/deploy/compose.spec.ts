import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { AGENT_NODE_FLAGS } from '../../apps/launcher/agent-node-flags';
import { checkAppServices } from './compose-app-checks';
import { composeApps, imageEnv, OPERATOR_SECRETS, ROOT, runtime, serviceEnv, stages } from './compose-apps';
import { commandWords, ComposeRefusal, containerPorts, dependsOn, healthcheckText, serviceEnv as serviceEnvUnder } from './compose-model';
import { DockerStage } from './dockerfile-stages';

// No Docker engine runs on our machines, so the compose file and the Dockerfile are checked
// statically against what the apps really read: their zod config schemas (see compose-apps.ts).
const { compose, services, appServices, schemas, portOf } = composeApps('docker-compose.yml');

function redisDb(url: string): number {
  const db = new URL(url).pathname.replace(/^\//, '');
  return db === '' ? 0 : Number(db);
}

describe('docker-compose.yml', () => {
  it('runs redis, postgres, two relays, the agent and chat', () => {
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['redis', 'postgres', 'chat', 'agent']));
    expect(appServices.filter((s) => s.app === 'relay')).toHaveLength(2);
    expect(appServices.map((s) => s.app).sort()).toEqual(['agent', 'chat', 'relay', 'relay']);
  });

  it("offers Jaeger under the tracing profile (OTLP/HTTP 4318, UI 16686), and every app passes OTEL_EXPORTER_OTLP_ENDPOINT on, empty (no tracing) unless set", () => {
    const jaeger = services.jaeger as typeof services.jaeger & { profiles?: string[] };
    expect(jaeger.profiles).toEqual(['tracing']);
    expect(containerPorts(jaeger)).toEqual(expect.arrayContaining([4318, 16686]));
    expect(healthcheckText(jaeger)).toMatch(/13133/);
    for (const s of appServices) {
      expect({ service: s.name, endpoint: serviceEnv(s.service).OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ service: s.name, endpoint: '' });
      expect({ service: s.name, endpoint: serviceEnvUnder(s.service, { ...OPERATOR_SECRETS, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ service: s.name, endpoint: 'http://jaeger:4318' });
    }
  });

  it('keeps Redis data on disk (AOF) and never evicts the keys BullMQ needs', () => {
    const command = commandWords(services.redis).join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(services.redis.volumes?.some((v) => String(typeof v === 'string' ? v : v.target).includes('/data'))).toBe(true);
  });

  it('restarts every service unless stopped and mounts only declared named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of Object.entries(services)) {
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
      for (const v of service.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        expect({ name, source, declared: declared.includes(source ?? '') }).toEqual({ name, source, declared: true });
      }
    }
    expect(declared.length).toBeGreaterThanOrEqual(2);
  });

  it('gives every service a health check and gates every depends_on on service_healthy of a service that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: healthcheckText(service) !== '' }).toEqual({ name, healthcheck: true });
      for (const [target, condition] of Object.entries(dependsOn(service))) {
        expect({ name, target, exists: target in services, condition }).toEqual({
          name,
          target,
          exists: true,
          condition: 'service_healthy',
        });
        expect(healthcheckText(services[target])).not.toBe('');
      }
    }
    expect(Object.keys(dependsOn(services.agent))).toEqual(expect.arrayContaining(['redis', 'postgres']));
    expect(Object.keys(dependsOn(services.chat))).toEqual(expect.arrayContaining(['redis', 'postgres']));
  });

  it("runs each app from a dist entry the build produces, out of the Dockerfile's runtime stage", () => {
    for (const { name, service, app } of appServices) {
      const words = commandWords(service);
      const entry = words[words.length - 1];
      expect({ name, entry }).toEqual({ name, entry: `dist/apps/${app}/src/main.js` });
      expect({ name, source: existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')) }).toEqual({ name, source: true });
      // Under `npm test` the build just ran, so the compiled entry must be where compose looks.
      if (process.env.npm_lifecycle_event === 'test') {
        expect({ name, built: existsSync(join(ROOT, entry)) }).toEqual({ name, built: true });
      }
      const build = service.build;
      expect(typeof build === 'object' ? build.target : undefined).toBe(runtime.name);
    }
  });

  it('the agent runs 2 replicas and reaches every relay service on its PORT', () => {
    const agent = appServices.find((s) => s.app === 'agent')!;
    expect(agent.service.deploy?.replicas).toBe(2);
    const relayUrls = serviceEnv(agent.service).RELAY_URLS.split(',').map((u) => new URL(u.trim()));
    const relays = appServices.filter((s) => s.app === 'relay');
    expect(relayUrls.map((u) => u.hostname).sort()).toEqual(relays.map((r) => r.name).sort());
    for (const url of relayUrls) expect({ relay: url.hostname, port: Number(url.port) }).toEqual({ relay: url.hostname, port: portOf(url.hostname) });
  });

  it('starts the agent with its heap bounds (AGENT_NODE_FLAGS), as npm run start:agent does', () => {
    const agent = appServices.find((s) => s.app === 'agent')!;
    const words = commandWords(agent.service);
    expect(words.slice(1, -1)).toEqual([...AGENT_NODE_FLAGS]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start:agent']).toBe(['node', ...AGENT_NODE_FLAGS, 'dist/apps/agent/src/main.js'].join(' '));
  });

  it('the relays share one storage database, apart from the queues, under distinct RELAY_NAMEs', () => {
    const relays = appServices.filter((s) => s.app === 'relay').map((s) => serviceEnv(s.service));
    const storage = relays.map((env) => env.RELAY_REDIS_URL ?? env.REDIS_URL);
    expect(new Set(storage).size).toBe(1);
    expect(new Set(relays.map((env) => env.RELAY_NAME)).size).toBe(relays.length);
    const queueDbs = appServices.filter((s) => s.app !== 'relay').map((s) => redisDb(serviceEnv(s.service).REDIS_URL));
    expect(queueDbs).not.toContain(redisDb(storage[0]));
  });

  // The image runs with NODE_ENV=production, where these have no usable default.
  it('sets the secrets production requires: RELAY_ADMIN_TOKEN on relays, BULL_BOARD_PASSWORD on chat', () => {
    expect(imageEnv().NODE_ENV).toBe('production');
    for (const { name, service, app } of appServices) {
      const env = serviceEnv(service);
      const secret = app === 'relay' ? 'RELAY_ADMIN_TOKEN' : app === 'chat' ? 'BULL_BOARD_PASSWORD' : undefined;
      if (secret) expect({ name, secret, set: (env[secret] ?? '') !== '' }).toEqual({ name, secret, set: true });
    }
  });

  it('has no default secrets: without each one compose refuses to start, naming the variable', () => {
    const needs: Record<string, string[]> = {};
    for (const [name, service] of Object.entries(services)) {
      for (const secret of Object.keys(OPERATOR_SECRETS) as Array<keyof typeof OPERATOR_SECRETS>) {
        const { [secret]: _left, ...others } = OPERATOR_SECRETS;
        let refusal: unknown;
        try {
          serviceEnvUnder(service, others);
        } catch (err) {
          refusal = err;
        }
        if (refusal === undefined) continue;
        expect(refusal).toBeInstanceOf(ComposeRefusal);
        expect((refusal as ComposeRefusal).variable).toBe(secret);
        expect((refusal as Error).message).toContain(secret);
        (needs[secret] ??= []).push(name);
      }
    }
    expect(needs).toEqual({
      RELAY_ADMIN_TOKEN: ['relay-a', 'relay-b'],
      BULL_BOARD_PASSWORD: ['chat'],
      POSTGRES_PASSWORD: ['postgres', 'agent', 'chat'],
    });
    // An empty value counts as unset (`:?`), as it would get past no production guard either.
    expect(() => serviceEnvUnder(services.chat, { ...OPERATOR_SECRETS, BULL_BOARD_PASSWORD: '' })).toThrow(/BULL_BOARD_PASSWORD/);
  });

  it('points every URL in an app env var at a compose service (and the database POSTGRES_DB creates)', () => {
    const postgresDb = serviceEnv(services.postgres).POSTGRES_DB;
    for (const { name, service } of appServices) {
      for (const [key, value] of Object.entries(serviceEnv(service))) {
        for (const raw of value.split(',')) {
          if (!/^[a-z]+:\/\//.test(raw)) continue;
          const url = new URL(raw);
          expect({ name, key, host: url.hostname, isService: url.hostname in services }).toEqual({ name, key, host: url.hostname, isService: true });
          if (url.protocol.startsWith('postgres')) expect(url.pathname).toBe(`/${postgresDb}`);
        }
      }
    }
  });

  checkAppServices({ services, appServices, schemas, portOf });
});

describe('Dockerfile', () => {
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name!, s]));
  const run = (stage: DockerStage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');

  it('has the deps, build, prod-deps and runtime stages, and every FROM/COPY --from names a stage or an image', () => {
    expect([...byName.keys()]).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    for (const stage of stages) {
      const parents = [
        stage.from,
        ...stage.instructions
          .filter((i) => i.keyword === 'COPY')
          .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
          .filter((s): s is string => s !== undefined),
      ];
      for (const parent of parents) {
        const isStage = byName.has(parent);
        const isImage = /^(\$\{NODE_IMAGE\}|node:[\w.-]+)$/.test(parent);
        expect({ stage: stage.name, parent, known: isStage || isImage }).toEqual({ stage: stage.name, parent, known: true });
      }
    }
  });

  it('installs all deps from the lock file to build, and builds with npm run build', () => {
    expect(run(byName.get('deps')!)).toMatch(/npm ci\b/);
    const build = byName.get('build')!;
    expect(build.from).toBe('deps');
    const copied = build.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    expect(copied).toEqual(expect.arrayContaining(['apps', 'libs']));
    expect(run(build)).toMatch(/npm run build/);
    // …which compiles apps/<app>/src/main.ts to the dist/apps/<app>/src/main.js compose runs.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toMatch(/swc apps\b.* -d dist\b/);
  });

  it('ships production dependencies only, runs as a non-root user, and starts the app chosen by APP', () => {
    expect(run(byName.get('prod-deps')!)).toMatch(/npm ci --omit=dev\b/);
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /--from=prod-deps\b.*node_modules/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=build\b.*\/app\/dist/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=deps\b/.test(c))).toBe(false);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(imageEnv()).toMatchObject({ NODE_ENV: 'production' });
    expect(imageEnv().APP).toMatch(/^(relay|agent|chat)$/);
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').pop()?.args ?? '';
    expect(cmd).toContain('node dist/apps/${APP}/src/main.js');
  });

  it('the runtime image has every package the apps and libs import (the production dependency tree)', () => {
    // `npm ci --omit=dev` installs what package-lock.json does not mark dev-only.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const inProductionTree = (name: string) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry !== undefined && !entry.dev && !entry.devOptional;
    };
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : /(?<!\.spec|\.e2e-spec)\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
      );
    const missing = new Set<string>();
    for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
      const text = readFileSync(file, 'utf8');
      // Type-only imports are erased by the compiler and need nothing at run time.
      const runtimeImports = /(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+['"]([^'"]+)['"]|\brequire\(['"]([^'"]+)['"]\)|\bimport\(['"]([^'"]+)['"]\)/g;
      for (const m of text.matchAll(runtimeImports)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('@gc/') || builtinModules.includes(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!inProductionTree(name)) missing.add(`${name} (${file.slice(ROOT.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('keeps node_modules, dist and git out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});
