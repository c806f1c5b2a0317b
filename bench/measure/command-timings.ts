import { Client } from 'pg';

export interface FunctionTiming {
  function: string;
  count: number;
  /** created → completed, from the row's own timestamps (transaction start times), ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Commands the reconciler had to publish again (attempts > 1). */
  republished: number;
  pending: number;
  failed: number;
}

/** Where a run's commands spent their time, per continuation function (chat.commands). */
export async function commandTimings(pg: Client): Promise<FunctionTiming[]> {
  const { rows } = await pg.query(`
    SELECT function, count(*)::int AS count,
      coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000) FILTER (WHERE status = 'completed'), 0) AS p50,
      coalesce(percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000) FILTER (WHERE status = 'completed'), 0) AS p99,
      coalesce(max(extract(epoch FROM updated_at - created_at) * 1000) FILTER (WHERE status = 'completed'), 0) AS max,
      count(*) FILTER (WHERE attempts > 1)::int AS republished,
      count(*) FILTER (WHERE status = 'pending')::int AS pending,
      count(*) FILTER (WHERE status = 'failed')::int AS failed
    FROM commands GROUP BY function ORDER BY count(*) DESC`);
  return rows.map((r) => ({
    function: r.function,
    count: r.count,
    p50Ms: Number(r.p50),
    p99Ms: Number(r.p99),
    maxMs: Number(r.max),
    republished: r.republished,
    pending: r.pending,
    failed: r.failed,
  }));
}

/** The agent's view: attempts (transient failures retried) per command type. */
export async function agentAttempts(pg: Client): Promise<Array<{ type: string; count: number; retried: number; attempts: number }>> {
  const { rows } = await pg.query(`SELECT type, count(*)::int AS count, count(*) FILTER (WHERE attempts > 0)::int AS retried, coalesce(sum(attempts), 0)::int AS attempts
      FROM agent.commands GROUP BY type ORDER BY count(*) DESC`);
  return rows;
}
