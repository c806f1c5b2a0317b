import { AGENT_EVENTS_QUEUE, ContractViolation, parseAgentEvent, type AgentEvent } from '@gc/contracts';
import { RESILIENT_WORKER_OPTIONS } from '@gc/queueing';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { ChatTx } from '../outbox/chat-tx';
import { UnitOfWork } from '../outbox/unit-of-work';
import { UnexpectedEvent } from './command-resumer';
import { claimOnlyCompletion } from './continuation-handlers';
import { EVENT_ROUTES } from './event-routes';

export const EVENTS_CONCURRENCY = 8;

/** agent-events: every event is applied exactly once, in one transaction with what it causes. */
@Processor(AGENT_EVENTS_QUEUE, { concurrency: EVENTS_CONCURRENCY, ...RESILIENT_WORKER_OPTIONS })
export class AgentEventsProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly log = new Logger(AgentEventsProcessor.name);

  constructor(private readonly work: UnitOfWork) {
    super();
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
      if (await this.work.runOneStatement((tx) => claimOnlyCompletion(tx, event), { awaitPublish: true })) return 'resumed';
      return await this.work.run((tx) => applyEvent(tx, event), { awaitPublish: true });
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
