import { checkClusterRequirements, parseClusterNodes, redisOptionsFromUrl } from '@gc/queueing';
import Redis from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Fails fast with a readable message when Redis does not answer, instead of letting four
 * children retry in the background while `npm start` looks stuck.
 */
export async function ensureRedisAnswers(url: string): Promise<void> {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError ??= err)); // reported below, once
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const where = new URL(url).host;
    const reason = (socketError ?? (err as Error)).message;
    throw new Error(`Redis at ${where} does not answer (${reason}); start it (see DEVELOPERS.md) or set REDIS_URL`);
  } finally {
    client.disconnect();
  }
}

/**
 * Every Redis the services will use, with the apps' own fallbacks (design §8): the queues on the
 * cluster of REDIS_CLUSTER_NODES when set, else REDIS_URL; the relays' storage on the cluster of
 * RELAY_REDIS_CLUSTER_NODES when set, else RELAY_REDIS_URL, else the queues' REDIS_URL. Each is
 * checked once; a cluster must serve every slot, as the apps' own start-up check requires.
 */
export async function ensureDeploymentRedisAnswers(env: NodeJS.ProcessEnv): Promise<void> {
  const queueUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
  const targets = new Map<string, () => Promise<unknown>>();
  const add = (clusterVariable: 'REDIS_CLUSTER_NODES' | 'RELAY_REDIS_CLUSTER_NODES', url: string) => {
    const nodes = seedsOf(env, clusterVariable);
    if (nodes.length > 0) targets.set(`cluster ${env[clusterVariable]}`, () => checkClusterRequirements(nodes, CHECK_TIMEOUT_MS, clusterVariable));
    else targets.set(url, () => ensureRedisAnswers(url));
  };
  add('REDIS_CLUSTER_NODES', queueUrl);
  add('RELAY_REDIS_CLUSTER_NODES', env.RELAY_REDIS_URL || queueUrl);
  await Promise.all([...targets.values()].map((check) => check()));
}

function seedsOf(env: NodeJS.ProcessEnv, variable: string) {
  try {
    return parseClusterNodes(env[variable] ?? '');
  } catch (err) {
    throw new Error(`${variable} must be comma-separated host:port seeds: ${(err as Error).message}`);
  }
}
