import { escapeLiteral } from 'pg';
import { PLANNED_PER_CALL } from '../../libs/persistence/src/prepared-statements';
import { DataSource, EntityManager } from 'typeorm';

/** A node of `EXPLAIN (FORMAT JSON)`'s plan tree (only the fields the specs read). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/**
 * `custom`: the plan for these very parameters — an unnamed statement's, and a named one's first five.
 * `generic`: the plan a named statement may keep from its sixth run on (plan_cache_mode=auto settles
 * on it when its estimate is no worse): planned without the parameters' values, so only what the SQL
 * text itself says (literals) can match a partial index (libs/persistence prepared-statements.ts).
 */
export const PLAN_KINDS = ['custom', 'generic'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

/** The plans a statement can run with: a `plannedPerCall` one is never named, so only its custom plan. */
export function planKindsOf(sql: string): readonly PlanKind[] {
  return sql.startsWith(PLANNED_PER_CALL) ? ['custom'] : PLAN_KINDS;
}

type ExplainRows = Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;

/** The plan Postgres picks for this statement with these parameters (not run). */
export async function planOf(db: DataSource | EntityManager, sql: string, params: unknown[], kind: PlanKind = 'custom'): Promise<PlanNode> {
  if (kind === 'custom') return ((await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as ExplainRows)[0]['QUERY PLAN'][0].Plan;
  // PREPARE and EXPLAIN EXECUTE on one session (a pinned runner). EXECUTE's arguments are literals: a
  // utility statement takes no bind parameters. A prepared statement outlives a rollback: always DEALLOCATE.
  const runner = (db instanceof DataSource ? db : db.connection).createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SET plan_cache_mode = force_generic_plan`);
    await runner.query(`PREPARE gc_plan_probe AS ${sql}`);
    const args = params.length > 0 ? `(${params.map(literalOf).join(', ')})` : '';
    return ((await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE gc_plan_probe${args}`)) as ExplainRows)[0]['QUERY PLAN'][0].Plan;
  } finally {
    await runner.query(`DEALLOCATE ALL`).catch(() => undefined);
    await runner.query(`RESET plan_cache_mode`).catch(() => undefined);
    await runner.release();
  }
}

/** A parameter as pg would send it (arrays as `{…}`, dates as ISO text, objects as JSON), quoted as an SQL literal. */
function literalOf(value: unknown): string {
  const text = textOf(value);
  return text === null ? 'NULL' : escapeLiteral(text);
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const items = value.map((v) => {
      const t = textOf(v);
      return t === null ? 'NULL' : `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    });
    return `{${items.join(',')}}`;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every node of the tree, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** Tables read by a sequential scan anywhere in the plan. */
export function seqScannedTables(plan: PlanNode): string[] {
  return planNodes(plan)
    .filter((n) => n['Node Type'] === 'Seq Scan')
    .map((n) => n['Relation Name'] ?? '?');
}

/** Indexes the plan reads (index, index-only and bitmap index scans). */
export function indexesUsed(plan: PlanNode): string[] {
  return planNodes(plan)
    .map((n) => n['Index Name'])
    .filter((name): name is string => name !== undefined);
}
