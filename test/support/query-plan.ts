import type { DataSource, EntityManager } from 'typeorm';

/** A node of `EXPLAIN (FORMAT JSON)`'s plan tree (only the fields the specs read). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The plan Postgres picks for this statement with these parameters (not run). */
export async function planOf(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<PlanNode> {
  const rows: Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }> = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  return rows[0]['QUERY PLAN'][0].Plan;
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
