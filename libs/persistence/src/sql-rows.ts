import { DataSource, EntityManager } from 'typeorm';
import { poolOf } from './data-source-pool';

/**
 * Rows of a raw statement (hot paths skip TypeORM's entity layer: one round trip per statement).
 * Outside a transaction the statement goes straight to the data source's pg pool, which skips a
 * QueryRunner per statement; inside one it runs on the transaction's connection.
 */
export async function sqlRows<T>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const pool = db instanceof DataSource ? poolOf(db) : undefined;
  if (pool) return (await pool.query(sql, params)).rows as T[];
  // TypeORM answers UPDATE/DELETE … RETURNING on postgres with [rows, affected], anything else with rows.
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
