import { DEFAULT_QUEUE_PREFIX } from '@gc/contracts';
import { ConnectionOptions, Queue, QueueOptions } from 'bullmq';
import { redisOptionsFromUrl } from './redis-connection';

export interface QueueConnectionConfig {
  redisUrl: string;
  prefix?: string;
}

/** The one place BullMQ connection options are made, for Nest's BullModule and for plain scripts. */
export function bullConnectionOptions(config: QueueConnectionConfig): Pick<QueueOptions, 'connection' | 'prefix'> {
  // ioredis' and BullMQ's option types differ only in typing; the object is the same.
  const connection = redisOptionsFromUrl(config.redisUrl) as ConnectionOptions;
  return { connection, prefix: config.prefix ?? DEFAULT_QUEUE_PREFIX };
}

/** A producer-side queue outside Nest (tests, demo, bench). */
export function openQueue(name: string, config: QueueConnectionConfig): Queue {
  return new Queue(name, bullConnectionOptions(config));
}
