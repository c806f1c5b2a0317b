import { DEFAULT_QUEUE_PREFIX } from '@gc/contracts';
import { queueTelemetry } from '@gc/observability/tracing/queue-telemetry';
import { ConnectionOptions, Queue, QueueOptions } from 'bullmq';
import { clusterClient, type RedisNode } from './redis-cluster';
import { redisOptionsFromUrl } from './redis-connection';

export interface QueueConnectionConfig {
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: when non-empty, a Cluster client on these seeds replaces redisUrl. */
  clusterNodes?: readonly RedisNode[];
  prefix?: string;
}

/** The one place BullMQ connection options are made, for Nest's BullModule and for plain scripts. */
export function bullConnectionOptions(config: QueueConnectionConfig): Pick<QueueOptions, 'connection' | 'prefix' | 'telemetry'> {
  // ioredis' and BullMQ's option types differ only in typing; the object is the same.
  const connection = redisOptionsFromUrl(config.redisUrl) as ConnectionOptions;
  // Trace context through the queues when the process traces (OTEL_EXPORTER_OTLP_ENDPOINT).
  return { connection, prefix: config.prefix ?? DEFAULT_QUEUE_PREFIX, ...queueTelemetry() };
}

/** A BullMQ connection and what closes it once its queue or worker has closed. */
export interface OwnedConnection {
  options: Pick<QueueOptions, 'connection' | 'prefix'>;
  release(): Promise<void>;
}

/**
 * Connection options for one queue or worker. With a single Redis, BullMQ makes (and closes) its own
 * clients from the options. BullMQ cannot make a Cluster client from options, only take one: that
 * client is then "shared" to BullMQ, which never closes it — release() does, after the queue or worker.
 */
export function ownedConnection(config: QueueConnectionConfig): OwnedConnection {
  if (!config.clusterNodes?.length) return { options: bullConnectionOptions(config), release: async () => undefined };
  const cluster = clusterClient(config.clusterNodes);
  return {
    options: { connection: cluster as unknown as ConnectionOptions, prefix: config.prefix ?? DEFAULT_QUEUE_PREFIX },
    release: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}

/** A producer-side queue outside Nest (tests, demo, bench). */
export function openQueue(name: string, config: QueueConnectionConfig): Queue {
  return new Queue(name, bullConnectionOptions(config));
}
