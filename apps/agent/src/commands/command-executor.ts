import { AgentCommand, AgentCommandType, AgentEvent, AgentEventOf } from '@gc/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { EventPublisher } from '../events/event-publisher';
import { resultEventId } from '../protocol/derived-ids';
import { classifyError } from '../retry/error-classification';
import { CommandHandler } from './command-handler';
import { CommandJournal, JournalEntry } from './command-journal';
import { AckHandler } from './handlers/ack.handler';
import { AllowHandler } from './handlers/allow.handler';
import { CreateHandler } from './handlers/create.handler';
import { DeleteHandler } from './handlers/delete.handler';
import { JoinHandler } from './handlers/join.handler';
import { SendHandler } from './handlers/send.handler';
import { SubscribeHandler } from './handlers/subscribe.handler';

export type CommandOutcome =
  | { kind: 'completed'; events: AgentEvent[]; repeated: boolean }
  | { kind: 'refused'; reason: string; repeated: boolean }
  | { kind: 'transient'; error: string; relay?: string; attempts: number | null; step: string };

/**
 * Idempotency by corrId: a finished command re-adds its stored events (same eventIds) with no IO;
 * an unfinished one runs its handler, which resumes from what the connection row shows as done.
 * The result is stored before the events are added, so a crash in between only repeats the add.
 * The step reached lives in memory and is stored only with a transient failure (for the retry log
 * and operators): resuming never reads it, so a step costs no round trip.
 */
@Injectable()
export class CommandExecutor {
  private readonly handlers: Map<AgentCommandType, CommandHandler>;

  constructor(
    private readonly journal: CommandJournal,
    private readonly events: EventPublisher,
    create: CreateHandler,
    join: JoinHandler,
    allow: AllowHandler,
    send: SendHandler,
    ack: AckHandler,
    del: DeleteHandler,
    subscribe: SubscribeHandler,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {
    const all: CommandHandler<any>[] = [create, join, allow, send, ack, del, subscribe];
    this.handlers = new Map(all.map((h) => [h.type, h as CommandHandler]));
  }

  async execute(command: AgentCommand): Promise<CommandOutcome> {
    let step = 'start';
    try {
      const row = await this.journal.begin(command);
      if (row.status !== 'running') return await this.repeat(row);
      step = row.step;
      const events = await this.handlers.get(command.type)!.execute(command, {
        attempts: row.attempts,
        step: (name) => {
          step = name;
        },
      });
      await this.journal.complete(command.corrId, events);
      await this.events.publish(events);
      return { kind: 'completed', events, repeated: false };
    } catch (err) {
      const cls = classifyError(err);
      try {
        if (cls.kind === 'permanent') return await this.refuse(command, cls.code, cls.message);
      } catch (reportErr) {
        // ERR could not be stored or added (Postgres/Redis away): retry the command, which will
        // meet the same refusal and report it then.
        return this.transient(command, classifyError(reportErr).message, undefined, step);
      }
      const outcome = await this.transient(command, cls.message, cls.relay, step, cls.unknown === true);
      if (outcome.unknownFailures < this.config.UNKNOWN_ERROR_ATTEMPTS) return outcome;
      // Retried enough: an error nobody recognises will not heal by waiting; fail it with its reason.
      return this.refuse(command, 'UNKNOWN_FAILURE', `${cls.message} (after ${outcome.unknownFailures} attempts)`).catch(() => outcome);
    }
  }

  private async repeat(row: JournalEntry): Promise<CommandOutcome> {
    await this.events.publish(row.result ?? []);
    return row.status === 'completed'
      ? { kind: 'completed', events: row.result ?? [], repeated: true }
      : { kind: 'refused', reason: row.lastError ?? 'failed', repeated: true };
  }

  private async refuse(command: AgentCommand, code: AgentEventOf<'ERR'>['error']['code'], message: string): Promise<CommandOutcome> {
    const errEvent = refusalEvent(command, code, message);
    const reason = `${code}: ${message}`;
    await this.journal.fail(command.corrId, [errEvent], reason);
    await this.events.publish([errEvent]);
    return { kind: 'refused', reason, repeated: false };
  }

  /** Counts the attempt when Postgres lets us; `attempts: null` leaves the count to the worker. */
  private async transient(
    command: AgentCommand,
    error: string,
    relay: string | undefined,
    step: string,
    unknown = false,
  ): Promise<CommandOutcome & { kind: 'transient'; unknownFailures: number }> {
    const counts = await this.journal.recordAttempt(command.corrId, error, step, unknown).catch(() => null);
    return { kind: 'transient', error, relay, attempts: counts?.attempts ?? null, step, unknownFailures: counts?.unknownFailures ?? 0 };
  }
}

export function refusalEvent(
  command: { corrId: string; userId: string; connId?: string },
  code: AgentEventOf<'ERR'>['error']['code'],
  message: string,
): AgentEventOf<'ERR'> {
  return {
    type: 'ERR',
    eventId: resultEventId(command.corrId),
    corrId: command.corrId,
    userId: command.userId,
    ...(command.connId ? { connId: command.connId } : {}),
    error: { code, message: message.slice(0, 2_000), permanent: true },
  };
}
