import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** The pg pool under a TypeORM postgres data source (its driver's `master`); none before initialize(). */
export function poolOf(dataSource: DataSource): (Pool & { _clients?: PoolClient[] }) | undefined {
  return (dataSource.driver as unknown as { master?: Pool & { _clients?: PoolClient[] } }).master;
}
