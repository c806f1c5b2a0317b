import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { survivePostgresDisconnects } from './pg-client-errors';
import { PG_CONNECT_TIMEOUT_MS } from './pg-connection-options';

/**
 * Opens an app's TypeORM data source in its own schema, with its migrations applied.
 * The schema is created first because TypeORM keeps its migrations table inside it. All of this
 * runs under a Postgres advisory lock keyed by the schema: replicas starting together (two agents
 * in docker-compose, two chats in the fault suite) would otherwise race to create the same tables,
 * and the loser would exit.
 */
export async function openMigratedDataSource(options: DataSourceOptions & { url: string; schema: string }): Promise<DataSource> {
  // No statement_timeout here: waiting for another replica's migrations is the point of the lock.
  const client = new Client({ connectionString: options.url, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, keepAlive: true });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`gc-migrations:${options.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    const dataSource = await new DataSource(options).initialize();
    const log = new Logger('Postgres');
    return survivePostgresDisconnects(dataSource, (err) => log.warn(`Postgres connection lost: ${err.message}`));
  } finally {
    await client.end(); // ends the session, which releases the lock
  }
}
