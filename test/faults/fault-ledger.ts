import { Client } from 'pg';

/** What the chat's Postgres says about its commands: the invariants every fault must keep. */
export interface CommandLedger {
  pending: number;
  failed: number;
  completed: number;
  /** Commands whose continuation committed more than once (must stay empty). */
  executedTwice: Array<{ corrId: string; function: string; executions: number }>;
  /** Completed commands whose continuation never ran (must stay empty). */
  completedUnexecuted: number;
  /**
   * Group messages handed to the agent more than once over one connection (must stay empty): the
   * receivers' primary key would hide such a copy, so it is counted on the sending side, where each
   * SEND command becomes one relay message (its relay msgId is derived from its corrId).
   */
  sentTwice: Array<{ userId: string; connId: string; msgId: string; sends: number }>;
}

/** Users whose commands are meant to fail (invalid-invitation probes) are left out of the ledger. */
export const ledgerExclusions = new Set<string>();

export async function readLedger(db: Client): Promise<CommandLedger> {
  const counts = await db.query<{ status: string; n: string }>(
    `SELECT status, count(*)::text AS n FROM chat.commands WHERE NOT (user_id::text = ANY($1)) GROUP BY status`,
    [[...ledgerExclusions]],
  );
  const by = Object.fromEntries(counts.rows.map((r) => [r.status, Number(r.n)]));
  const twice = await db.query<{ corr_id: string; function: string; executions: number }>(
    `SELECT corr_id, function, executions FROM chat.commands WHERE executions > 1`,
  );
  const unexecuted = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM chat.commands WHERE status = 'completed' AND executions <> 1`);
  const twiceSent = await db.query<{ user_id: string; conn_id: string; msg_id: string; sends: number }>(
    `SELECT user_id::text, conn_id, body->>'msgId' AS msg_id, count(*)::int AS sends
       FROM (SELECT user_id, conn_id, (command->>'body')::jsonb AS body FROM chat.commands
              WHERE command->>'type' = 'SEND' AND left(command->>'body', 1) = '{') s
      WHERE body->>'type' = 'x.msg.new'
      GROUP BY 1, 2, 3 HAVING count(*) > 1`,
  );
  return {
    pending: by.pending ?? 0,
    failed: by.failed ?? 0,
    completed: by.completed ?? 0,
    executedTwice: twice.rows.map((r) => ({ corrId: r.corr_id, function: r.function, executions: r.executions })),
    completedUnexecuted: Number(unexecuted.rows[0].n),
    sentTwice: twiceSent.rows.map((r) => ({ userId: r.user_id, connId: r.conn_id, msgId: r.msg_id, sends: r.sends })),
  };
}

/** Terminates every backend of the test database but the caller's: the apps' pools must recover. */
export async function terminateBackends(db: Client, database: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return Number(rows[0].n);
}
