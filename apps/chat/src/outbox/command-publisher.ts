import { AGENT_COMMANDS_QUEUE, parseAgentCommand, type AgentCommand } from '@gc/contracts';
import { CONTRACT_JOB_OPTIONS } from '@gc/queueing';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { ConnectionCommand } from './chat-tx';
import { pendingHeads } from './command-store';

// A failed add is tried again at once a few times: the reconciler is the last resort, minutes late.
const PUBLISH_TRIES = 3;

/** What a committed transaction leaves to publish (see ChatTx). */
export interface Publishable {
  /** Connections whose head must be read back from the committed state. */
  touchedConnections: Iterable<string>;
  /** Heads known without reading: the first command on a connection the transaction opened. */
  knownHeads?: Iterable<ConnectionCommand>;
  /** Commands outside the per-connection order (ACKs). */
  unorderedCommands?: Iterable<ConnectionCommand>;
}

/**
 * Publishes outbox rows to agent-commands. At most one command per connection is in flight: only
 * the oldest pending command of a connection is published; the next one goes out when it completes.
 * ACKs are outside that order (see command-order.ts) and go out at once.
 */
@Injectable()
export class CommandPublisher {
  private readonly log = new Logger(CommandPublisher.name);

  constructor(
    @InjectQueue(AGENT_COMMANDS_QUEUE) private readonly queue: Queue,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * Called after a commit. Heads are read again from the committed state, so of two transactions
   * touching one connection, the one committing last sees the other's rows and publishes the head.
   * One query for every touched connection and one addBulk for every job: each is a round trip.
   */
  async publishAfterCommit(work: Publishable): Promise<void> {
    const connIds = [...work.touchedConnections];
    const known = [...(work.knownHeads ?? []), ...(work.unorderedCommands ?? [])];
    if (connIds.length === 0 && known.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publishAll([...known, ...(await pendingHeads(this.db, connIds))]);
      } catch (err) {
        if (attempt < PUBLISH_TRIES) continue;
        // The reconciler publishes them later; the rows are safe in Postgres.
        const corrIds = known.map((c) => c.corrId);
        this.log.warn({ connIds, corrIds, error: (err as Error).message }, 'publishing commands failed; the reconciler will');
        return;
      }
    }
  }

  /** BullMQ ignores an add whose job id exists, so publishing twice is harmless. */
  async publish(command: AgentCommand): Promise<void> {
    const job = jobOf(command);
    await this.queue.add(job.name, job.data, job.opts);
  }

  private async publishAll(commands: AgentCommand[]): Promise<void> {
    if (commands.length === 1) return this.publish(commands[0]); // one script call instead of a MULTI
    if (commands.length > 0) await this.queue.addBulk(commands.map(jobOf));
  }

  get commandsQueue(): Queue {
    return this.queue;
  }
}

/** The agent-commands job of a command: validated against the contract, job id = corrId. */
function jobOf(command: AgentCommand) {
  const valid = parseAgentCommand(command);
  return { name: valid.type, data: valid, opts: { ...CONTRACT_JOB_OPTIONS, jobId: valid.corrId } };
}
