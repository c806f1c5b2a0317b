import { AgentCommand, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandState } from '../persistence/command.entity';
import { Batcher, sqlRows } from '@gc/persistence';

/** What a command run needs of its agent.commands row. */
export interface JournalEntry {
  status: CommandState;
  step: string;
  attempts: number;
  lastError: string | null;
  result: AgentEvent[] | null;
}

const ENTRY = `status, step, attempts, last_error AS "lastError", result`;

interface Finish {
  corrId: string;
  status: CommandState;
  step: string;
  result: AgentEvent[];
  lastError: string | null;
}

/**
 * begin and finish are on every command's path, twice a command: under load, the calls of commands
 * running side by side go as one statement (many rows) instead of one each. Two slots: one
 * statement in flight while the next batch gathers. A multi-row statement is all or nothing, so a
 * failed one is retried row by row (Batcher) and a bad row fails only its own command.
 */
const JOURNAL_BATCHES = { maxBatches: 2, maxBatchSize: 64 };

/**
 * agent.commands: what makes the agent idempotent by corrId, with the step a retried command
 * reached for operators. One statement per call: this is on every command's path.
 */
@Injectable()
export class CommandJournal {
  private readonly begins: Batcher<AgentCommand, JournalEntry>;
  private readonly finishes: Batcher<Finish, void>;

  constructor(private readonly dataSource: DataSource) {
    this.begins = new Batcher({ together: (commands) => this.beginAll(commands), alone: async (c) => (await this.beginAll([c]))[0] }, JOURNAL_BATCHES);
    this.finishes = new Batcher({ together: (rows) => this.finishAll(rows), alone: (row) => this.finishAll([row]).then(() => undefined) }, JOURNAL_BATCHES);
  }

  /**
   * The command's row, made on first sight; a repeat finds the one already there. DO UPDATE (a no-op
   * write) rather than DO NOTHING, so the row comes back in this statement even when it existed or a
   * concurrent run of the same command inserted it first.
   */
  begin(command: AgentCommand): Promise<JournalEntry> {
    return this.begins.run(command);
  }

  /** One statement for many commands; a corrId twice in one batch (a concurrent re-run) is one row, answered to both. */
  private async beginAll(commands: AgentCommand[]): Promise<JournalEntry[]> {
    const unique = [...new Map(commands.map((c) => [c.corrId, c])).values()];
    const rows = await sqlRows<JournalEntry & { corrId: string }>(
      this.dataSource,
      `INSERT INTO "agent"."commands" (corr_id, user_id, type, conn_id)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[])
       ON CONFLICT (corr_id) DO UPDATE SET corr_id = EXCLUDED.corr_id
       RETURNING corr_id AS "corrId", ${ENTRY}`,
      [unique.map((c) => c.corrId), unique.map((c) => c.userId), unique.map((c) => c.type), unique.map((c) => ('connId' in c ? c.connId : null))],
    );
    const byCorrId = new Map(rows.map(({ corrId, ...entry }) => [corrId, entry]));
    return commands.map((c) => byCorrId.get(c.corrId)!);
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

  private finish(corrId: string, status: CommandState, step: string, result: AgentEvent[], lastError: string | null): Promise<void> {
    return this.finishes.run({ corrId, status, step, result, lastError });
  }

  private async finishAll(rows: Finish[]): Promise<void[]> {
    await sqlRows(
      this.dataSource,
      `UPDATE "agent"."commands" c SET status = v.status, step = v.step, result = v.result, last_error = coalesce(v.last_error, c.last_error), updated_at = now()
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::jsonb[], $5::text[]) AS v (corr_id, status, step, result, last_error)
        WHERE c.corr_id = v.corr_id`,
      [rows.map((r) => r.corrId), rows.map((r) => r.status), rows.map((r) => r.step), rows.map((r) => JSON.stringify(r.result)), rows.map((r) => r.lastError)],
    );
    return rows.map(() => undefined);
  }
}
