import Redis from 'ioredis';
import { clusterClient, type RedisNode } from './redis-cluster';
import { redisOptionsFromUrl } from './redis-connection';

/** The chat's reconciler claims with `SET … NX GET`, which Redis accepts only from 7.0 on. */
export const MIN_REDIS_MAJOR = 7;

/** The `redis_version` of an `INFO server` answer, e.g. "7.2.4". */
export function redisVersionOf(info: string): string | undefined {
  return /^redis_version:([^\r\n]+)/m.exec(info)?.[1]?.trim();
}

/**
 * Connects once and reads the server's version: throws a message an operator can act on when
 * Redis does not answer (within `timeoutMs`) or is older than 7.
 */
export async function checkRedisRequirements(url: string, timeoutMs = 5_000): Promise<string> {
  const where = new URL(url).host;
  const client = new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError ??= err));
  let info: string;
  try {
    await client.connect();
    info = await client.info('server');
  } catch (err) {
    throw new Error(`Redis at ${where} does not answer (${(socketError ?? (err as Error)).message}); check REDIS_URL and that Redis runs`);
  } finally {
    client.disconnect();
  }
  return requiredVersion(where, info);
}

function requiredVersion(where: string, info: string): string {
  const version = redisVersionOf(info);
  const major = Number(version?.split('.')[0]);
  if (!Number.isInteger(major) || major < MIN_REDIS_MAJOR) {
    // Final: waiting for this Redis will not make it newer (see awaitDependencies, @gc/persistence).
    throw Object.assign(new Error(`Redis at ${where} is version ${version ?? 'unknown'}; ${MIN_REDIS_MAJOR}.0 or newer is required (SET … NX GET)`), {
      waitingWontHelp: true as const,
    });
  }
  return version!;
}

/**
 * The same check against a Redis Cluster (REDIS_CLUSTER_NODES): the seeds answer, the cluster says
 * `cluster_state:ok` (every slot served), and every master is ≥ 7. Answers each master's version.
 * `variable` is the env var the message tells the operator to check (the relay's has its own name).
 */
export async function checkClusterRequirements(nodes: readonly RedisNode[], timeoutMs = 5_000, variable = 'REDIS_CLUSTER_NODES'): Promise<string[]> {
  const where = `cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const cluster = clusterClient(nodes, {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: timeoutMs,
    redisOptions: { connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0 },
  });
  let socketError: Error | undefined;
  cluster.on('error', (err: Error) => (socketError ??= err));
  let infos: string[];
  try {
    await cluster.connect();
    const state = /^cluster_state:(\w+)/m.exec(String(await cluster.cluster('INFO')))?.[1];
    if (state !== 'ok') throw new Error(`cluster_state is ${state ?? 'unknown'}`);
    infos = await Promise.all(cluster.nodes('master').map((node) => node.info('server')));
  } catch (err) {
    throw new Error(`Redis ${where} does not answer (${(socketError ?? (err as Error)).message}); check ${variable} and that the cluster runs`);
  } finally {
    cluster.disconnect();
  }
  return infos.map((info) => requiredVersion(where, info));
}

/**
 * The queue Redis of an app meets our needs: every master of the cluster when REDIS_CLUSTER_NODES is
 * set (it then replaces REDIS_URL), else the one at REDIS_URL.
 */
export async function checkQueueRedis(redisUrl: string, clusterNodes?: readonly RedisNode[]): Promise<void> {
  if (clusterNodes?.length) await checkClusterRequirements(clusterNodes);
  else await checkRedisRequirements(redisUrl);
}
