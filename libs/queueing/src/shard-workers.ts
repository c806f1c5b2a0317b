import { Processor, Worker, WorkerOptions } from 'bullmq';
import { ownedConnection } from './queue-connection';
import { checkedShardCount, shardPrefixOf, type ShardedQueueConfig } from './sharded-queue';

/**
 * A worker on every shard of a contract queue: whatever the shard, a job runs the same processor.
 * Each worker has its own connection (BullMQ's blocking fetch needs one per worker anyway).
 * `concurrency` is the process's total, split over the shards (at least 1 each): connections
 * spread evenly over shards, and N times the concurrency would overload the process — measured:
 * QUEUE_SHARDS=4 with 32 per shard ran CREATEs at half the rate of QUEUE_SHARDS=1 on 2 cores.
 */
export class ShardWorkers {
  private constructor(
    /** Index = shard number. */
    readonly workers: readonly Worker[],
    private readonly releases: readonly (() => Promise<void>)[],
  ) {}

  static open(name: string, processor: Processor, config: ShardedQueueConfig, options: Omit<WorkerOptions, 'connection' | 'prefix'>): ShardWorkers {
    const count = checkedShardCount(config.shards);
    const workers: Worker[] = [];
    const releases: (() => Promise<void>)[] = [];
    for (let n = 0; n < count; n++) {
      const owned = ownedConnection({ ...config, prefix: shardPrefixOf(config, n) });
      workers.push(new Worker(name, processor, { ...options, concurrency: perShardConcurrency(options.concurrency ?? 1, count), ...owned.options }));
      releases.push(owned.release);
    }
    return new ShardWorkers(workers, releases);
  }

  /** Subscribes a listener on every shard's worker ('completed', 'failed', 'error', …). */
  on(event: 'completed' | 'failed' | 'error', listener: (...args: any[]) => void): void {
    for (const worker of this.workers) worker.on(event, listener);
  }

  /** Each worker finishes its in-flight jobs; then the connections close. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.releases.map((release) => release()));
  }
}

/** A process's concurrency over `shards` workers: ⌈total / shards⌉, at least 1. */
export function perShardConcurrency(total: number, shards: number): number {
  return Math.max(1, Math.ceil(total / shards));
}
