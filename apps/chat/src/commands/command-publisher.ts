import { AGENT_COMMANDS_QUEUE, parseAgentCommand, type AgentCommand } from '@gc/contracts';
import { CONTRACT_JOB_OPTIONS } from '@gc/queueing';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { ConnectionCommand } from './chat-tx';
import { ORDERED_SQL } from './command-order';

// A failed add is tried again at once a few times: the reconciler is the last resort, minutes late.
const PUBLISH_TRIES = 3;

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
   * Called after a commit. The head is read again from the committed state, so of two transactions
   * touching one connection, the one committing last sees the other's rows and publishes the head.
   */
  async publishAfterCommit(connIds: Iterable<string>, unordered: ConnectionCommand[]): Promise<void> {
    for (const command of unordered) {
      await this.publishOrLeave({ corrId: command.corrId, connId: command.connId }, () => this.publish(command));
    }
    await this.publishHeads(connIds);
  }

  async publishHeads(connIds: Iterable<string>): Promise<void> {
    for (const connId of connIds) {
      const ids: { corrId?: string; connId: string } = { connId };
      await this.publishOrLeave(ids, async () => {
        const rows: { corr_id: string; command: AgentCommand }[] = await this.db.query(
          `SELECT corr_id, command FROM commands WHERE conn_id = $1 AND status = 'pending' AND ${ORDERED_SQL} ORDER BY id LIMIT 1`,
          [connId],
        );
        ids.corrId = rows[0]?.corr_id;
        if (rows.length > 0) await this.publish(rows[0].command);
      });
    }
  }

  private async publishOrLeave(ids: { corrId?: string; connId: string }, publish: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await publish();
      } catch (err) {
        if (attempt < PUBLISH_TRIES) continue;
        // The reconciler publishes it later; the row is safe in Postgres.
        this.log.warn({ ...ids, error: (err as Error).message }, 'publishing a command failed; the reconciler will');
        return;
      }
    }
  }

  /** BullMQ ignores an add whose job id exists, so publishing twice is harmless. */
  async publish(command: AgentCommand): Promise<void> {
    const valid = parseAgentCommand(command);
    await this.queue.add(valid.type, valid, { ...CONTRACT_JOB_OPTIONS, jobId: valid.corrId });
  }

  get commandsQueue(): Queue {
    return this.queue;
  }
}
