import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of a raw statement (hot paths skip TypeORM's entity layer: one round trip per statement).
 * TypeORM answers UPDATE/DELETE … RETURNING on postgres with [rows, affected], anything else with rows.
 */
export async function sqlRows<T>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
