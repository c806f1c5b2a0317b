import { DEFAULT_QUEUE_PREFIX } from '@gc/contracts';
import { queueTelemetry } from '@gc/observability/tracing/queue-telemetry';
import { ConnectionOptions, Queue, QueueOptions } from 'bullmq';
import { redisOptionsFromUrl } from './redis-connection';

export interface QueueConnectionConfig {
  redisUrl: string;
  prefix?: string;
}

/** The one place BullMQ connection options are made, for Nest's BullModule and for plain scripts. */
export function bullConnectionOptions(config: QueueConnectionConfig): Pick<QueueOptions, 'connection' | 'prefix' | 'telemetry'> {
  // ioredis' and BullMQ's option types differ only in typing; the object is the same.
  const connection = redisOptionsFromUrl(config.redisUrl) as ConnectionOptions;
  // Trace context through the queues when the process traces (OTEL_EXPORTER_OTLP_ENDPOINT).
  return { connection, prefix: config.prefix ?? DEFAULT_QUEUE_PREFIX, ...queueTelemetry() };
}

/** A producer-side queue outside Nest (tests, demo, bench). */
export function openQueue(name: string, config: QueueConnectionConfig): Queue {
  return new Queue(name, bullConnectionOptions(config));
}
