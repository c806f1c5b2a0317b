import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { shardedQueueToken, type ShardedQueue } from '@gc/queueing';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { countCommands } from '../outbox/command-store';
import { ChatMetrics } from './chat-metrics';

export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/**
 * Gauges read at scrape time from where the truth lives (Postgres, Redis), so they are right even
 * after a restart: unfinished commands by function and status, and the depth of both queues.
 */
@Injectable()
export class SampledGauges implements OnModuleInit {
  constructor(
    private readonly metrics: ChatMetrics,
    private readonly moduleRef: ModuleRef,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    // The queues are registered by the root module; they are looked up, not opened a second time.
    const queues = [AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE].map((name) => this.moduleRef.get<ShardedQueue>(shardedQueueToken(name), { strict: false }));
    const db = this.db;
    const roundTrips = this.metrics.commandRoundTrip;
    new Gauge({
      name: 'gc_chat_commands',
      help: 'Commands by function and status: pending and failed as in chat.commands now; completed: those this chat completed by their event since it started',
      labelNames: ['function', 'status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        // Postgres away: keep the last sample rather than fail the whole scrape.
        const rows = await countCommands(db).catch(() => undefined);
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ function: r.function, status: r.status }, r.count);
        for (const [fn, n] of await completedByFunction(roundTrips)) this.set({ function: fn, status: 'completed' }, n);
      },
    });
    new Gauge({
      name: 'gc_queue_jobs',
      help: 'Jobs in a BullMQ queue by state, sampled on scrape',
      // `shard` only with QUEUE_SHARDS > 1, so one shard gives the series of before.
      labelNames: ['queue', 'state', 'shard'] as const,
      registers: [this.metrics.registry],
      async collect() {
        for (const sharded of queues) {
          for (const [n, queue] of sharded.shards.entries()) {
            const counts = await withinMs(2_000, queue.getJobCounts(...QUEUE_STATES)).catch(() => undefined);
            if (!counts) continue;
            const shard = sharded.shards.length > 1 ? { shard: String(n) } : {};
            for (const state of QUEUE_STATES) this.set({ queue: queue.name, state, ...shard }, counts[state] ?? 0);
          }
        }
      },
    });
  }
}

/**
 * Completed commands are nearly every row of the outbox, for ever: counted from the table they made
 * each scrape read all of it (docs/scaling.md limit 3). Every command this chat completes by its event
 * is timed into the round-trip histogram (events/event-metrics.observer.ts), whose count is that number.
 */
export async function completedByFunction(roundTrips: Histogram<'function' | 'status'>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const v of (await roundTrips.get()).values) {
    if (v.metricName?.endsWith('_count') && v.labels.status === 'completed' && typeof v.labels.function === 'string') counts.set(v.labels.function, v.value);
  }
  return counts;
}

/** Redis away: ioredis queues the command until it is back; a scrape must not wait that long. */
function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
