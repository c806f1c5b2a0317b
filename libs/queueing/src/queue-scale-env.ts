import { MAX_QUEUE_SHARDS } from '@gc/contracts';
import { z } from 'zod';
import { parseClusterNodes, type RedisNode } from './redis-cluster';
import type { ShardedQueueConfig } from './sharded-queue';

/**
 * The env both the agent and the chat read to scale their queues out (the deployment contract),
 * spread into each app's config schema.
 */
export const QueueScaleEnv = {
  /** Every agent and chat of a deployment must get the same value: it decides a connection's shard. */
  QUEUE_SHARDS: z.coerce.number().int().min(1).max(MAX_QUEUE_SHARDS).default(1),
  /** host:port seeds of a Redis Cluster; when set, every queue key lives there instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .transform((raw, ctx): RedisNode[] => {
      try {
        return parseClusterNodes(raw);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be comma-separated host:port seeds: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
};

/** What ShardedQueue and ShardWorkers need, from an app's parsed config. */
export function shardedQueueConfig(config: { REDIS_URL: string; QUEUE_PREFIX: string; QUEUE_SHARDS: number; REDIS_CLUSTER_NODES: RedisNode[] }): ShardedQueueConfig {
  return { redisUrl: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, prefix: config.QUEUE_PREFIX, shards: config.QUEUE_SHARDS };
}
