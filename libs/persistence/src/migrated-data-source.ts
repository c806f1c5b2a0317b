import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { poolOf } from './data-source-pool';
import { survivePostgresDisconnects } from './pg-client-errors';
import { PG_CONNECT_TIMEOUT_MS, PG_KEEPALIVE_INITIAL_DELAY_MS } from './pg-connection-options';
import { namingClient, PreparedStatementsMode, resolveStatementNaming, StatementNaming } from './prepared-statements';
import { applySessionDefaults, endStaleSessions, sessionHasDefaults } from './session-defaults';

export type MigratedDataSourceOptions = DataSourceOptions & {
  url: string;
  schema: string;
  /** Where the migrations run; `url` when absent (DATABASE_MIGRATION_URL, for a pooler that forbids DDL). */
  migrationUrl?: string;
  /** Named statements (prepared-statements.ts; DATABASE_PREPARED_STATEMENTS); `auto` when absent. */
  preparedStatements?: PreparedStatementsMode;
};

/**
 * Opens an app's TypeORM data source in its own schema, with its migrations applied first (never by
 * TypeORM's `migrationsRun`, which runs them on the pool with no lock).
 */
export async function openMigratedDataSource(options: MigratedDataSourceOptions): Promise<DataSource> {
  const log = new Logger('Postgres');
  const ran = await migrateRetryingEndedSessions(options, log);
  if (ran.length > 0) log.log(`migrated schema ${options.schema}: ${ran.join(', ')}`);
  const { migrationUrl: _, preparedStatements = 'auto', ...appOptions } = options;
  // Off until settled below: the pool's first session is the one that asks.
  const naming = new StatementNaming(false, 'not settled yet', (active, reason) =>
    active ? log.log(`named statements on: ${reason}`) : log.warn(`named statements off: ${reason}`),
  );
  const extra = { ...(appOptions.extra as Record<string, unknown> | undefined), Client: namingClient(naming) };
  const dataSource = await new DataSource({ ...appOptions, extra, migrationsRun: false } as DataSourceOptions).initialize();
  survivePostgresDisconnects(dataSource, (err) => log.warn(`Postgres connection lost: ${err.message}`));
  await resolveStatementNaming(naming, preparedStatements, poolOf(dataSource));
  return dataSource;
}

/** 57P01 admin_shutdown: pg_terminate_backend ended our session. */
const SESSION_ENDED = '57P01';
const MIGRATION_ATTEMPTS = 3;

/**
 * The start-up that gives the role its session defaults ends the sessions opened before (endStaleSessions);
 * through a pooler one of them may be the server connection another replica's start-up was just handed.
 * The migration step is one transaction, all or nothing, so that replica runs it again.
 */
async function migrateRetryingEndedSessions(options: MigratedDataSourceOptions, log: Logger): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate(options);
    } catch (err) {
      if ((err as { code?: string }).code !== SESSION_ENDED || attempt >= MIGRATION_ATTEMPTS) throw err;
      log.warn(`migrations of ${options.schema}: session ended by another start-up refreshing the session defaults; again (${attempt})`);
    }
  }
}

/**
 * Every pending migration in ONE transaction, serialised by a transaction-level advisory lock keyed by
 * the schema: replicas starting together (two agents in docker-compose, two chats in the fault suite)
 * would otherwise race to create the same tables, and the loser would exit. Nothing outlives the
 * transaction — no session lock, no SET — so it works unchanged through PgBouncer in transaction mode,
 * where a session lock would stay held by whichever server session ran it, and the next replica would
 * wait for ever. DDL is transactional in Postgres: a failed start-up leaves nothing half-made.
 * Returns the names of the migrations it ran.
 */
async function migrate(options: MigratedDataSourceOptions): Promise<string[]> {
  const source = new DataSource({
    ...options,
    url: options.migrationUrl ?? options.url,
    migrationsRun: false,
    // One session; no silence bound: waiting for another replica's migrations passes no bytes.
    extra: { max: 1, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS },
  } as DataSourceOptions);
  let endOwnSession = false;
  let runner: ReturnType<DataSource['createQueryRunner']> | undefined;
  try {
    await source.initialize();
    runner = source.createQueryRunner();
    await runner.startTransaction();
    // A session opened before the role got its defaults (this start-up may be the one giving them)
    // must not go back to a pooler's idle pool with no bounds: it ends itself after the commit.
    endOwnSession = !(await sessionHasDefaults(runner));
    // Waiting for another replica is the point of the lock; the role's statement/lock bounds must not cut it.
    await runner.query(`SET LOCAL statement_timeout = 0`);
    await runner.query(`SET LOCAL lock_timeout = 0`);
    await runner.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`gc-migrations:${options.schema}`]);
    // TypeORM keeps its migrations table inside the schema. search_path only for this transaction,
    // so a migration that forgot to qualify a name still lands in its schema, never in `public`.
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await runner.query(`SET LOCAL search_path = "${options.schema}"`);
    const executor = new MigrationExecutor(source, runner);
    executor.transaction = 'none'; // inside ours
    const ran = await executor.executePendingMigrations();
    const changed = await applySessionDefaults(runner);
    await runner.commitTransaction();
    // Best effort once committed: a failure here must not fail a start-up whose migrations are in.
    if (changed.length > 0) await endStaleSessions(runner).catch(() => 0);
    if (endOwnSession || changed.length > 0) await runner.query(`SELECT pg_terminate_backend(pg_backend_pid())`).catch(() => undefined);
    return ran.map((m) => m.name);
  } catch (err) {
    if (runner?.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner?.release().catch(() => undefined);
    if (source.isInitialized) await source.destroy().catch(() => undefined);
  }
}
