import { Client } from 'pg';

export interface QueryPlan {
  what: string;
  sql: string;
  /** The plan's top node line and the execution time. */
  summary: string;
  plan: string[];
}

/**
 * EXPLAIN ANALYZE of the chat's and agent's hot queries on a database holding the memory run's
 * connections (parameters taken from real rows). Read-only: FOR UPDATE queries are explained
 * without executing (plain EXPLAIN), the rest with ANALYZE inside a rolled-back transaction.
 */
export async function explainHotQueries(pg: Client): Promise<QueryPlan[]> {
  const sample = (await pg.query(`SELECT c.corr_id, c.conn_id, c.user_id FROM commands c ORDER BY id DESC LIMIT 1`)).rows[0];
  if (!sample) return [];
  const queries: Array<{ what: string; sql: string; params: unknown[]; analyze: boolean }> = [
    {
      what: 'chat: heads of the touched connections (publishAfterCommit, after every transaction)',
      sql: `SELECT DISTINCT ON (conn_id) command FROM commands WHERE conn_id = ANY($1) AND status = 'pending' AND function <> 'ACK_MESSAGE' ORDER BY conn_id, id`,
      params: [[sample.conn_id]],
      analyze: true,
    },
    {
      what: 'chat: claim a command by corrId (every completion event; lock + mark done)',
      sql: `UPDATE commands SET status = 'completed', executions = executions + 1, updated_at = now() WHERE corr_id = $1 AND status = 'pending' RETURNING id, user_id, conn_id, continuation`,
      params: [sample.corr_id],
      analyze: false,
    },
    {
      what: 'chat: reconciler heads (every RECONCILE_INTERVAL_MS)',
      sql: `SELECT DISTINCT ON (conn_id) id, corr_id, command, updated_at FROM commands WHERE status = 'pending' ORDER BY conn_id, id`,
      params: [],
      analyze: true,
    },
    {
      what: 'chat: reconciler unfinished connections (every RECONCILE_STALE_MS)',
      sql: `WITH unfinished AS (
             SELECT user_id FROM connections WHERE stage NOT IN ('connected', 'failed') AND updated_at < now() - $1 * interval '1 millisecond'
             UNION SELECT user_id FROM members WHERE status NOT IN ('connected', 'failed') AND updated_at < now() - $1 * interval '1 millisecond'
             UNION SELECT user_id FROM introductions WHERE status <> 'connected' AND updated_at < now() - $1 * interval '1 millisecond')
           SELECT c.user_id, array_agg(c.id) AS conn_ids FROM connections c JOIN unfinished u ON u.user_id = c.user_id
            WHERE c.stage <> 'failed' AND NOT EXISTS (SELECT 1 FROM commands k WHERE k.conn_id = c.id AND k.status = 'pending')
            GROUP BY c.user_id`,
      params: [15_000],
      analyze: true,
    },
    {
      what: 'chat: GET /users/:u/commands',
      sql: `SELECT * FROM commands WHERE user_id = $1 ORDER BY id`,
      params: [sample.user_id],
      analyze: true,
    },
    {
      what: 'agent: lock a connection (every step of every command)',
      sql: `SELECT * FROM agent.connections WHERE user_id = $1 AND conn_id = $2 FOR UPDATE`,
      params: [sample.user_id, sample.conn_id],
      analyze: false,
    },
    {
      what: 'agent: command journal by corrId',
      sql: `SELECT * FROM agent.commands WHERE corr_id = $1`,
      params: [sample.corr_id],
      analyze: true,
    },
  ];
  const plans: QueryPlan[] = [];
  for (const q of queries) {
    await pg.query('BEGIN');
    try {
      const { rows } = await pg.query(`EXPLAIN (${q.analyze ? 'ANALYZE, BUFFERS, ' : ''}COSTS OFF) ${q.sql}`, q.params);
      const plan = rows.map((r) => r['QUERY PLAN'] as string);
      const time = plan.find((l) => l.startsWith('Execution Time'));
      plans.push({ what: q.what, sql: q.sql, summary: `${plan[0].trim()}${time ? `; ${time}` : ''}`, plan });
    } catch (err) {
      plans.push({ what: q.what, sql: q.sql, summary: `EXPLAIN failed: ${(err as Error).message}`, plan: [] });
    } finally {
      await pg.query('ROLLBACK');
    }
  }
  return plans;
}
