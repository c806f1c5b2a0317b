import { MAX_QUEUE_SHARDS, shardOf, shardOfMessage, shardPrefix } from '@gc/contracts';
import { Job, JobsOptions, Queue, QueueOptions } from 'bullmq';
import { ownedConnection, type QueueConnectionConfig } from './queue-connection';

export interface ShardedQueueConfig extends QueueConnectionConfig {
  /** QUEUE_SHARDS: every agent and chat of a deployment must use the same value. */
  shards: number;
}

/**
 * One contract queue (agent-commands or agent-events) as QUEUE_SHARDS BullMQ queues of the same name,
 * shard n under shardPrefix(prefix, n): a connection's commands and events always go to the shard of
 * its connId (shardOf), so their order holds. With one shard it is exactly the queue of before.
 */
export class ShardedQueue {
  private constructor(
    readonly name: string,
    /** Index = shard number. */
    readonly shards: readonly Queue[],
    private readonly releases: readonly (() => Promise<void>)[],
  ) {}

  static open(name: string, config: ShardedQueueConfig, options: Omit<QueueOptions, 'connection' | 'prefix'> = {}): ShardedQueue {
    const count = checkedShardCount(config.shards);
    const queues: Queue[] = [];
    const releases: (() => Promise<void>)[] = [];
    for (let n = 0; n < count; n++) {
      const owned = ownedConnection({ ...config, prefix: shardPrefixOf(config, n) });
      queues.push(new Queue(name, { ...options, ...owned.options }));
      releases.push(owned.release);
    }
    return new ShardedQueue(name, queues, releases);
  }

  /** The queue of a connection's shard. */
  forConnection(connId: string): Queue {
    return this.shards[shardOf(connId, this.shards.length)];
  }

  /** The queue of a command's or an event's shard (SUBSCRIBE: its first connId; no connection: shard 0). */
  forMessage(message: { connId?: string; connIds?: readonly string[] }): Queue {
    return this.shards[shardOfMessage(message, this.shards.length)];
  }

  /**
   * Adds jobs, each to the shard of its data's connection: one addBulk per shard, since a MULTI
   * cannot span Cluster slots (with one shard: one addBulk, as before sharding).
   */
  async addBulk(jobs: readonly { name: string; data: { connId?: string; connIds?: readonly string[] }; opts?: JobsOptions }[]): Promise<void> {
    const byShard = new Map<number, (typeof jobs)[number][]>();
    for (const job of jobs) {
      const shard = shardOfMessage(job.data, this.shards.length);
      byShard.set(shard, [...(byShard.get(shard) ?? []), job]);
    }
    await Promise.all([...byShard].map(([shard, group]) => this.shards[shard].addBulk(group)));
  }

  /** A job by id when its connection is not at hand: every shard is asked (N round trips). */
  async findJob(jobId: string): Promise<Job | undefined> {
    for (const queue of this.shards) {
      const job = await queue.getJob(jobId);
      if (job) return job;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((q) => q.close()));
    await Promise.all(this.releases.map((release) => release()));
  }
}

export function checkedShardCount(shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_QUEUE_SHARDS) throw new RangeError(`QUEUE_SHARDS must be an integer 1..${MAX_QUEUE_SHARDS}, got ${shards}`);
  return shards;
}

export function shardPrefixOf(config: ShardedQueueConfig, shard: number): string {
  return shardPrefix(config.prefix ?? '{gc}', shard, config.shards);
}
