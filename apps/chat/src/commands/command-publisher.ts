import { AGENT_COMMANDS_QUEUE, parseAgentCommand, type AgentCommand } from '@gc/contracts';
import { CONTRACT_JOB_OPTIONS } from '@gc/queueing';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

/**
 * Publishes outbox rows to agent-commands. At most one command per connection is in flight: only
 * the oldest pending command of a connection is published; the next one goes out when it completes.
 */
@Injectable()
export class CommandPublisher {
  private readonly log = new Logger(CommandPublisher.name);

  constructor(
    @InjectQueue(AGENT_COMMANDS_QUEUE) private readonly queue: Queue,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async publishHeads(connIds: Iterable<string>): Promise<void> {
    for (const connId of connIds) {
      let corrId: string | undefined;
      try {
        const rows: { corr_id: string; command: AgentCommand }[] = await this.db.query(
          `SELECT corr_id, command FROM commands WHERE conn_id = $1 AND status = 'pending' ORDER BY id LIMIT 1`,
          [connId],
        );
        corrId = rows[0]?.corr_id;
        if (rows.length > 0) await this.publish(rows[0].command);
      } catch (err) {
        // The reconciler publishes it later; the row is safe in Postgres.
        this.log.warn({ corrId, connId, error: (err as Error).message }, 'publishing the head command failed; the reconciler will');
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
