import { AGENT_EVENTS_QUEUE, ContractViolation, parseAgentEvent, type AgentEvent } from '@gc/contracts';
import { RESILIENT_WORKER_OPTIONS, ShardWorkers, shardedQueueConfig } from '@gc/queueing';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { Job, UnrecoverableError } from 'bullmq';
import { ChatTx } from '../outbox/chat-tx';
import { UnitOfWork } from '../outbox/unit-of-work';
import { UnexpectedEvent } from './command-resumer';
import { EVENT_ROUTES } from './event-routes';

/**
 * Events in flight per chat. Most only wait in group commit's queue (two batches hold a connection
 * each), and a big group's host has many: a user's events wait while a batch of that user is in flight,
 * so with 16 the host's backlog left the other batch idle. host + 50 at 0% faults reached 391 and 225
 * of 1,275 pairs in 120 s with 16, 550 with 48 (docs/benchmarks.md).
 */
export const EVENTS_CONCURRENCY = 48;

/**
 * agent-events: every event is applied exactly once, in one transaction with what it causes. A
 * worker per shard (QUEUE_SHARDS), EVENTS_CONCURRENCY split over them.
 */
@Injectable()
export class AgentEventsProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(AgentEventsProcessor.name);
  worker: ShardWorkers;

  constructor(
    private readonly work: UnitOfWork,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {}

  onModuleInit(): void {
    this.worker = ShardWorkers.open(AGENT_EVENTS_QUEUE, (job) => this.process(job), shardedQueueConfig(this.config), {
      concurrency: EVENTS_CONCURRENCY,
      ...RESILIENT_WORKER_OPTIONS,
    });
    this.worker.on('error', (err: Error) => this.log.warn({ error: err.message }, 'events worker error'));
  }

  async process(job: Job): Promise<string> {
    let event: AgentEvent;
    try {
      event = parseAgentEvent(job.data);
    } catch (err) {
      // A malformed event never becomes valid: fail the job with the reason, no retries.
      throw new UnrecoverableError((err as ContractViolation).message);
    }
    try {
      // Group commit: events that arrive together share one transaction (UnitOfWork.runGrouped).
      return await this.work.runGrouped(event.userId, (tx) => applyEvent(tx, event));
    } catch (err) {
      if (err instanceof UnexpectedEvent) throw new UnrecoverableError(err.message);
      const corrId = 'corrId' in event ? event.corrId : undefined;
      this.log.warn({ corrId, eventId: event.eventId, type: event.type, error: (err as Error).message }, 'event failed, will be retried');
      throw err;
    }
  }

  /** The worker stops taking events before the queues and the database close. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}

/** Applies one event in the caller's transaction, by the one routing table. */
export function applyEvent(tx: ChatTx, event: AgentEvent): Promise<string> {
  return (EVENT_ROUTES[event.type] as (tx: ChatTx, e: AgentEvent) => Promise<string>)(tx, event);
}
