import type { AgentEvent } from '@gc/contracts';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AgentEventsProcessor } from '../events/agent-events.processor';
import { ChatMetrics } from './chat-metrics';

/** Outcomes of applyEvent() that ended a command: the round trip and the continuation are measured. */
const COMMAND_ENDED = new Set(['resumed', 'failed']);

/**
 * Watches the agent-events worker from outside, so the event path itself carries no metrics code:
 * every finished job counts as a processed event; one that ended a command is timed end to end.
 */
@Injectable()
export class EventMetricsObserver implements OnApplicationBootstrap {
  private readonly log = new Logger(EventMetricsObserver.name);

  constructor(
    private readonly metrics: ChatMetrics,
    private readonly moduleRef: ModuleRef,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const worker = this.moduleRef.get(AgentEventsProcessor, { strict: false }).worker;
    worker.on('completed', (job: Job, outcome: unknown) => void this.completed(job, String(outcome)));
    worker.on('failed', (job: Job | undefined) => this.metrics.eventsProcessed.inc({ type: eventType(job), outcome: 'error' }));
  }

  private async completed(job: Job, outcome: string): Promise<void> {
    const type = eventType(job);
    this.metrics.eventsProcessed.inc({ type, outcome });
    const corrId = (job.data as Partial<AgentEvent> & { corrId?: string }).corrId;
    if (!COMMAND_ENDED.has(outcome) || !corrId) return;
    try {
      const rows: { function: string; status: string; seconds: number }[] = await this.db.query(
        `SELECT function, status, extract(epoch FROM updated_at - created_at)::float8 AS seconds FROM commands WHERE corr_id = $1`,
        [corrId],
      );
      if (rows.length === 0) return;
      const { function: fn, status, seconds } = rows[0];
      this.metrics.commandRoundTrip.observe({ function: fn, status }, Math.max(0, seconds));
      // The last line of a command's path; with the agent's `command retry` lines, its whole story by corrId.
      this.log.debug({ corrId, function: fn, status, roundTripMs: Math.round(seconds * 1000) }, 'command finished');
      if (job.processedOn) this.metrics.continuationDuration.observe({ function: fn }, Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000));
    } catch (err) {
      this.log.debug({ corrId, error: (err as Error).message }, 'round trip not measured');
    }
  }
}

function eventType(job: Job | undefined): string {
  const type = (job?.data as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' && /^[A-Z]{2,10}$/.test(type) ? type : 'invalid';
}
