import { AgentCommand, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandState } from '../persistence/command.entity';
import { sqlRows } from '@gc/persistence';

/** What a command run needs of its agent.commands row. */
export interface JournalEntry {
  status: CommandState;
  step: string;
  attempts: number;
  lastError: string | null;
  result: AgentEvent[] | null;
}

const ENTRY = `status, step, attempts, last_error AS "lastError", result`;

/**
 * agent.commands: what makes the agent idempotent by corrId, with the step a retried command
 * reached for operators. One statement per call: this is on every command's path.
 */
@Injectable()
export class CommandJournal {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The command's row, made on first sight; a repeat finds the one already there. DO UPDATE (a no-op
   * write) rather than DO NOTHING, so the row comes back in this statement even when it existed or a
   * concurrent run of the same command inserted it first.
   */
  async begin(command: AgentCommand): Promise<JournalEntry> {
    const [row] = await sqlRows<JournalEntry>(
      this.dataSource,
      `INSERT INTO "agent"."commands" (corr_id, user_id, type, conn_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (corr_id) DO UPDATE SET corr_id = EXCLUDED.corr_id
       RETURNING ${ENTRY}`,
      [command.corrId, command.userId, command.type, 'connId' in command ? command.connId : null],
    );
    return row;
  }

  /**
   * Counts a transient failure and the step it happened at (and, apart, one of unknown kind);
   * returns the counts so far.
   */
  async recordAttempt(corrId: string, error: string, step: string, unknown = false): Promise<{ attempts: number; unknownFailures: number }> {
    const [row] = await sqlRows<{ attempts: number; unknownFailures: number }>(
      this.dataSource,
      `UPDATE "agent"."commands" SET attempts = attempts + 1, unknown_failures = unknown_failures + $4::int, last_error = $2, step = $3, updated_at = now()
       WHERE corr_id = $1 RETURNING attempts, unknown_failures AS "unknownFailures"`,
      [corrId, error.slice(0, 2_000), step.slice(0, 32), unknown ? 1 : 0],
    );
    return row ?? { attempts: 1, unknownFailures: unknown ? 1 : 0 };
  }

  async complete(corrId: string, result: AgentEvent[]): Promise<void> {
    await this.finish(corrId, 'completed', 'done', result, null);
  }

  async fail(corrId: string, result: AgentEvent[], reason: string): Promise<void> {
    await this.finish(corrId, 'failed', 'failed', result, reason.slice(0, 2_000));
  }

  private async finish(corrId: string, status: CommandState, step: string, result: AgentEvent[], lastError: string | null): Promise<void> {
    await sqlRows(
      this.dataSource,
      `UPDATE "agent"."commands" SET status = $2, step = $3, result = $4::jsonb, last_error = coalesce($5, last_error), updated_at = now() WHERE corr_id = $1`,
      [corrId, status, step, JSON.stringify(result), lastError],
    );
  }
}
