import type { AgentEvent } from '@gc/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { ChatMetrics } from '../metrics/chat-metrics';
import { roundTripsOf } from '../outbox/command-store';
import { AgentEventsProcessor } from './agent-events.processor';

// Round trips are read from the commands table in batches: one query per batch, not per command.
const MEASURE_BATCH = 100;
const MEASURE_DELAY_MS = 250;
/** Outcomes of applyEvent() that ended a command: the round trip and the continuation are measured. */
const COMMAND_ENDED = new Set(['resumed', 'failed']);

/**
 * Watches the agent-events worker from outside, so the event path itself carries no metrics code:
 * every finished job counts as a processed event; one that ended a command is timed end to end.
 */
@Injectable()
export class EventMetricsObserver implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(EventMetricsObserver.name);
  /** Commands ended and not measured yet: corrId → continuation ms (job processed → finished). */
  private ended = new Map<string, number | undefined>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metrics: ChatMetrics,
    private readonly moduleRef: ModuleRef,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleDestroy(): void {
    clearTimeout(this.flushTimer);
  }

  onApplicationBootstrap(): void {
    const worker = this.moduleRef.get(AgentEventsProcessor, { strict: false }).worker;
    worker.on('completed', (job: Job, outcome: unknown) => this.completed(job, String(outcome)));
    worker.on('failed', (job: Job | undefined) => this.metrics.eventsProcessed.inc({ type: eventType(job), outcome: 'error' }));
  }

  private completed(job: Job, outcome: string): void {
    const type = eventType(job);
    this.metrics.eventsProcessed.inc({ type, outcome });
    const corrId = (job.data as Partial<AgentEvent> & { corrId?: string }).corrId;
    if (!COMMAND_ENDED.has(outcome) || !corrId) return;
    const continuationMs = job.processedOn ? Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) : undefined;
    this.ended.set(corrId, continuationMs);
    if (this.ended.size >= MEASURE_BATCH) void this.measureEnded();
    else this.flushTimer ??= setTimeout(() => void this.measureEnded(), MEASURE_DELAY_MS);
  }

  /** One query for the round trips of the commands ended since the last one (not one per command). */
  private async measureEnded(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const ended = this.ended;
    this.ended = new Map();
    if (ended.size === 0) return;
    try {
      for (const { corrId, function: fn, status, seconds } of await roundTripsOf(this.db, [...ended.keys()])) {
        this.metrics.commandRoundTrip.observe({ function: fn, status }, Math.max(0, seconds));
        // The last line of a command's path; with the agent's `command retry` lines, its whole story by corrId.
        this.log.debug({ corrId, function: fn, status, roundTripMs: Math.round(seconds * 1000) }, 'command finished');
        const continuationMs = ended.get(corrId);
        if (continuationMs !== undefined) this.metrics.continuationDuration.observe({ function: fn }, continuationMs / 1000);
      }
    } catch (err) {
      this.log.debug({ commands: ended.size, error: (err as Error).message }, 'round trips not measured');
    }
  }
}

function eventType(job: Job | undefined): string {
  const type = (job?.data as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' && /^[A-Z]{2,10}$/.test(type) ? type : 'invalid';
}
