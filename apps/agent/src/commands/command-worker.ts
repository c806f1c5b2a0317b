import { AGENT_COMMANDS_QUEUE, ConnId, ContractViolation, CorrelationId, UserId, parseAgentCommand } from '@gc/contracts';
import { RESILIENT_WORKER_OPTIONS, ShardWorkers, shardedQueueConfig } from '@gc/queueing';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { EventPublisher } from '../events/event-publisher';
import { RelaySessions } from '../inbound/relay-sessions';
import { RetryPolicy } from '../retry/retry-policy';
import { CommandExecutor, refusalEvent } from './command-executor';

/**
 * The agent-commands worker. A transient failure moves the job back to delayed for the RetryPolicy's
 * delay (BullMQ's own attempts stay 1, and the count lives in agent.commands); a permanent one fails
 * the job with the reason after ERR was added. A malformed job fails alone; the worker goes on.
 * One worker per shard (QUEUE_SHARDS), AGENT_CONCURRENCY split over them: every agent works every shard.
 */
@Injectable()
export class CommandWorker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CommandWorker.name);
  private worker?: ShardWorkers;

  constructor(
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    private readonly executor: CommandExecutor,
    private readonly events: EventPublisher,
    private readonly policy: RetryPolicy,
    private readonly sessions: RelaySessions,
  ) {}

  onModuleInit(): void {
    this.worker = ShardWorkers.open(AGENT_COMMANDS_QUEUE, (job, token) => this.process(job, token), shardedQueueConfig(this.config), {
      ...RESILIENT_WORKER_OPTIONS,
      concurrency: this.config.AGENT_CONCURRENCY,
    });
    this.worker.on('error', (err: Error) => this.logger.warn({ error: err.message }, 'command worker error'));
    this.worker.on('failed', (job: Job | undefined, err: Error) => {
      if (job && !(err instanceof DelayedError)) this.logger.warn({ corrId: job.id, reason: err.message }, 'command failed');
    });
  }

  /** Shutdown order: the worker finishes its in-flight commands, then the relay streams stop. */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    this.logger.log('command worker closed');
    await this.sessions.stop();
    this.logger.log('relay streams closed');
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    let command;
    try {
      command = parseAgentCommand(job.data);
    } catch (err) {
      if (!(err instanceof ContractViolation)) throw err;
      await this.reportMalformed(job, err);
      throw new UnrecoverableError(err.message);
    }
    const outcome = await this.executor.execute(command);
    switch (outcome.kind) {
      case 'completed':
        return outcome.events;
      case 'refused':
        throw new UnrecoverableError(outcome.reason);
      case 'transient': {
        // Postgres away: the job's own run count stands in for the attempts it could not record.
        const attempt = outcome.attempts ?? job.attemptsStarted;
        const delay = this.policy.delayMs(attempt - 1);
        this.logger.log(
          { corrId: command.corrId, type: command.type, step: outcome.step, attempt, relay: outcome.relay, error: outcome.error, delay },
          'command retry',
        );
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
    }
  }

  /** ERR VALIDATION when the job at least says whose command it was, so the chat can fail it. */
  private async reportMalformed(job: Job, violation: ContractViolation): Promise<void> {
    const data = (job.data ?? {}) as Record<string, unknown>;
    const corrId = CorrelationId.safeParse(data.corrId);
    const userId = UserId.safeParse(data.userId);
    this.logger.warn({ corrId: job.id, reason: violation.message }, 'malformed command');
    if (!corrId.success || !userId.success) return;
    const connId = ConnId.safeParse(data.connId);
    const event = refusalEvent(
      { corrId: corrId.data, userId: userId.data, connId: connId.success ? connId.data : undefined },
      'VALIDATION',
      violation.message,
    );
    await this.events.publish([event]);
  }
}
