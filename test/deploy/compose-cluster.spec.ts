import { parseClusterNodes } from '@gc/queueing';
import { checkAppServices } from './compose-app-checks';
import { composeApps, OPERATOR_SECRETS, serviceEnv } from './compose-apps';
import { commandWords, ComposeRefusal, ComposeService, dependsOn, healthcheckText, serviceEnv as serviceEnvUnder } from './compose-model';

// The cluster shape (docs/operations.md "Cluster shape"), checked as docker-compose.yml is: against
// the apps' config schemas and what redis-server and redis-cli are told, without Docker.
const { compose, services, appServices, schemas, portOf } = composeApps('docker-compose.cluster.yml');
const INIT = 'redis-cluster-init';

/** The value of `--flag` in a redis-server command line. */
function flag(service: ComposeService, name: string): string | undefined {
  const words = commandWords(service);
  const i = words.indexOf(`--${name}`);
  return i < 0 ? undefined : words[i + 1];
}
const masters = Object.entries(services).filter(([, s]) => commandWords(s)[0] === 'redis-server' && flag(s, 'cluster-enabled') === 'yes');
const masterAddresses = masters.map(([name, s]) => `${name}:${flag(s, 'port') ?? '6379'}`).sort();
const seedVariable = (app: string) => (app === 'relay' ? 'RELAY_REDIS_CLUSTER_NODES' : 'REDIS_CLUSTER_NODES');

describe('docker-compose.cluster.yml', () => {
  it('runs 3 cluster-enabled Redis masters, each with its own volume, AOF, noeviction, and announcing its service name', () => {
    expect(masters).toHaveLength(3);
    const volumes = new Set<string>();
    for (const [name, master] of masters) {
      expect({ name, aof: flag(master, 'appendonly'), eviction: flag(master, 'maxmemory-policy') }).toEqual({ name, aof: 'yes', eviction: 'noeviction' });
      // nodes.conf must survive a restart (it is the node's cluster membership), so it sits in /data.
      expect({ name, config: flag(master, 'cluster-config-file') }).toEqual({ name, config: 'nodes.conf' });
      const data = (master.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`)).find((v) => v.endsWith(':/data'));
      expect({ name, data: data !== undefined }).toEqual({ name, data: true });
      volumes.add(data!.split(':')[0]);
      expect({ name, announced: flag(master, 'cluster-announce-hostname'), type: flag(master, 'cluster-preferred-endpoint-type') }).toEqual({ name, announced: name, type: 'hostname' });
      expect(healthcheckText(master)).toMatch(/redis-cli ping/);
    }
    expect(volumes.size).toBe(3);
    for (const v of volumes) expect(Object.keys(compose.volumes ?? {})).toContain(v);
  });

  it('creates the cluster once from a one-shot service over every master (all slots, no replicas), after they are healthy', () => {
    const init = services[INIT];
    expect(init).toBeDefined();
    expect(init.restart).toBe('no');
    const script = commandWords(init).join(' ');
    const create = /redis-cli --cluster create ((?:\S+:\d+ )+)--cluster-replicas 0 --cluster-yes/.exec(script);
    expect(create).not.toBeNull();
    expect(create![1].trim().split(' ').sort()).toEqual(masterAddresses);
    // Idempotent: a second `up` finds the cluster made and does not try to create it again.
    expect(script).toMatch(/cluster_state:ok \|\|/);
    expect(dependsOn(init)).toEqual(Object.fromEntries(masters.map(([name]) => [name, 'service_healthy'])));
  });

  it('starts every app once the cluster is made, and gates every other dependency on service_healthy of a service that exists', () => {
    for (const { name, service } of appServices) {
      const deps = dependsOn(service);
      expect({ name, init: deps[INIT] }).toEqual({ name, init: 'service_completed_successfully' });
      for (const [target, condition] of Object.entries(deps)) {
        if (target === INIT) continue;
        expect({ name, target, exists: target in services, condition }).toEqual({ name, target, exists: true, condition: 'service_healthy' });
      }
    }
  });

  it('gives every long-running service a health check and restarts it unless stopped', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === INIT) continue;
      expect({ name, healthcheck: healthcheckText(service) !== '', restart: service.restart }).toEqual({ name, healthcheck: true, restart: 'unless-stopped' });
    }
  });

  it('gives every app the cluster (seeds naming every master service at its port) instead of a Redis URL', () => {
    for (const { name, service, app } of appServices) {
      const env = serviceEnv(service);
      const variable = seedVariable(app);
      const seeds = parseClusterNodes(env[variable] ?? '').map((n) => `${n.host}:${n.port}`).sort();
      expect({ name, variable, seeds }).toEqual({ name, variable, seeds: masterAddresses });
      // A URL next to the seeds would be ignored: it would only mislead whoever reads the file.
      expect({ name, urls: Object.keys(env).filter((k) => /REDIS_URL$/.test(k)) }).toEqual({ name, urls: [] });
    }
    expect(appServices.filter((s) => s.app === 'relay')).toHaveLength(2);
    expect(appServices.map((s) => s.app).sort()).toEqual(['agent', 'chat', 'relay', 'relay']);
  });

  it('splits the queues into the same shards (more than masters) under the same prefix for every agent and chat', () => {
    const queueApps = appServices.filter((s) => s.app !== 'relay').map((s) => serviceEnv(s.service));
    expect(new Set(queueApps.map((env) => env.QUEUE_SHARDS))).toEqual(new Set(['4']));
    expect(Number(queueApps[0].QUEUE_SHARDS)).toBeGreaterThan(masters.length);
    expect(new Set(queueApps.map((env) => env.QUEUE_PREFIX)).size).toBe(1);
    const relays = appServices.filter((s) => s.app === 'relay').map((s) => serviceEnv(s.service).RELAY_NAME);
    expect(new Set(relays).size).toBe(relays.length);
  });

  it('points every URL in an app env var at a compose service, and the agent and chat at every relay', () => {
    const relays = appServices.filter((s) => s.app === 'relay');
    for (const { name, service, app } of appServices) {
      const env = serviceEnv(service);
      for (const [key, value] of Object.entries(env)) {
        for (const raw of value.split(',')) {
          if (!/^[a-z]+:\/\//.test(raw)) continue;
          const url = new URL(raw);
          expect({ name, key, host: url.hostname, isService: url.hostname in services }).toEqual({ name, key, host: url.hostname, isService: true });
        }
      }
      if (app === 'relay') continue;
      const relayUrls = env.RELAY_URLS.split(',').map((u) => new URL(u));
      expect(relayUrls.map((u) => `${u.hostname}:${u.port}`).sort()).toEqual(relays.map((r) => `${r.name}:${portOf(r.name)}`).sort());
    }
  });

  it('has no default secrets: without each one compose refuses to start, naming the variable', () => {
    const needs: Record<string, string[]> = {};
    for (const [name, service] of Object.entries(services)) {
      for (const secret of Object.keys(OPERATOR_SECRETS) as Array<keyof typeof OPERATOR_SECRETS>) {
        const { [secret]: _left, ...others } = OPERATOR_SECRETS;
        try {
          serviceEnvUnder(service, others);
        } catch (err) {
          expect(err).toBeInstanceOf(ComposeRefusal);
          (needs[secret] ??= []).push(name);
        }
      }
    }
    expect(needs).toEqual({ RELAY_ADMIN_TOKEN: ['relay-a', 'relay-b'], BULL_BOARD_PASSWORD: ['chat'], POSTGRES_PASSWORD: ['postgres', 'agent', 'chat'] });
  });

  checkAppServices({ services, appServices, schemas, portOf });
});
