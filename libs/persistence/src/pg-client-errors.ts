import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from './data-source-pool';

/**
 * When Postgres ends a session (pg_terminate_backend, a restart, a network cut) pg emits 'error'
 * on the client. TypeORM listens only while a query runner holds the client and pg-pool only while
 * it is idle; an error outside both (e.g. a second one after TypeORM released it) has no listener,
 * and Node exits on an unhandled 'error'. Every pooled client gets a listener here: the pool drops
 * the broken client, the statement that used it fails and its caller retries (found by
 * `npm run test:faults`, case 4).
 */
export function survivePostgresDisconnects(dataSource: DataSource, onError: (err: Error) => void): DataSource {
  const pool = poolOf(dataSource);
  if (!pool) return dataSource;
  const listen = (client: PoolClient) => {
    client.on('error', onError);
  };
  pool.on('connect', listen);
  for (const client of pool._clients ?? []) listen(client);
  return dataSource;
}
