import { checkPostgresReachable } from './postgres-requirements';
import { checkClusterRequirements, checkRedisRequirements, type RedisNode } from '@gc/queueing';
import { setTimeout as sleep } from 'node:timers/promises';

/** Dependencies may start after us (compose, a restart): wait this long for them, then give up. */
export const STARTUP_WAIT_MS = 60_000;
const STARTUP_RETRY_MS = 2_000;

/**
 * Before Nest starts: Redis answers and is ≥ 7 (every master of the cluster, with
 * REDIS_CLUSTER_NODES, which then replaces REDIS_URL), Postgres answers. An unreachable one is awaited
 * for STARTUP_WAIT_MS with a line per try; a Redis that is too old fails at once (waiting won't
 * help). Throws the last reason, for main to print and exit 1.
 */
export async function awaitStartupRequirements(
  urls: { redisUrl: string; redisClusterNodes?: readonly RedisNode[]; databaseUrl: string },
  say: (line: string) => void,
  waitMs = STARTUP_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const redisCheck = urls.redisClusterNodes?.length ? checkClusterRequirements(urls.redisClusterNodes) : checkRedisRequirements(urls.redisUrl);
    const [redis, pg] = await Promise.allSettled([redisCheck, checkPostgresReachable(urls.databaseUrl)]);
    const reasons = [redis, pg].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
    if (reasons.length === 0) return;
    const fatal = reasons.find((r) => r.includes('is required'));
    if (fatal || Date.now() >= deadline) throw new Error(fatal ?? reasons.join('; '));
    say(`waiting for dependencies: ${reasons.join('; ')}`);
    await sleep(STARTUP_RETRY_MS);
  }
}
