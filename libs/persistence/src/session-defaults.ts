import { PG_IDLE_IN_TRANSACTION_TIMEOUT_MS, PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS } from './pg-connection-options';

/** What runs a statement: a TypeORM QueryRunner inside the start-up transaction. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The server-side bounds every session of the apps needs (why each: pg-connection-options), kept as
 * the defaults of the apps' role in their database (`ALTER ROLE CURRENT_USER IN DATABASE … SET`)
 * rather than sent per session: Postgres applies them to every new backend, so they hold whether the
 * app talks to Postgres straight or through PgBouncer in transaction mode — which refuses the
 * `options` startup parameter and hands each transaction whichever server session is free, so a
 * session-level SET would be lost or leak (docs/operations.md "PgBouncer"). One code path for both.
 * Scoped to the role in this one database: other roles and databases are untouched.
 * default_transaction_isolation is pinned because the code assumes read committed (row locks + re-reads).
 */
export const PG_SESSION_DEFAULTS: Readonly<Record<string, string>> = {
  statement_timeout: String(PG_STATEMENT_TIMEOUT_MS),
  lock_timeout: String(PG_LOCK_TIMEOUT_MS),
  idle_in_transaction_session_timeout: String(PG_IDLE_IN_TRANSACTION_TIMEOUT_MS),
  default_transaction_isolation: 'read committed',
};

/**
 * The agent and the chat share the role and database in a deployment and both write these defaults:
 * one lock for both, so their start-ups never update the same pg_db_role_setting row at once
 * ("tuple concurrently updated"). Held to the end of the caller's transaction; take it last.
 */
const SESSION_DEFAULTS_LOCK = 'gc-session-defaults';

/**
 * Makes PG_SESSION_DEFAULTS the role's defaults in the current database, inside the caller's
 * transaction; writes only what differs, so a start-up with nothing to change writes nothing.
 * Sessions opened before a change keep their old values: see endStaleSessions.
 */
export async function applySessionDefaults(runner: SqlRunner): Promise<string[]> {
  await runner.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [SESSION_DEFAULTS_LOCK]);
  const current = (await runner.query(
    `SELECT unnest(s.setconfig) AS setting FROM pg_db_role_setting s
      WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
        AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  )) as { setting: string }[];
  const have = new Map(current.map(({ setting }) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)]));
  const changed = Object.entries(PG_SESSION_DEFAULTS).filter(([name, value]) => have.get(name) !== value);
  if (changed.length === 0) return [];
  const [{ db }] = (await runner.query(`SELECT current_database() AS db`)) as { db: string }[];
  const database = `"${db.replace(/"/g, '""')}"`;
  // Names and values are our constants above (digits, "read committed"), never input.
  for (const [name, value] of changed) {
    await runner.query(`ALTER ROLE CURRENT_USER IN DATABASE ${database} SET ${name} = '${value}'`);
  }
  return changed.map(([name]) => name);
}

/**
 * Whether the caller's own session started with PG_SESSION_DEFAULTS (read before any SET LOCAL).
 * pg_settings shows the timeouts in their base unit (ms), as PG_SESSION_DEFAULTS writes them.
 */
export async function sessionHasDefaults(runner: SqlRunner): Promise<boolean> {
  const rows = (await runner.query(`SELECT name, setting FROM pg_settings WHERE name = ANY($1)`, [Object.keys(PG_SESSION_DEFAULTS)])) as { name: string; setting: string }[];
  return rows.length === Object.keys(PG_SESSION_DEFAULTS).length && rows.every((r) => PG_SESSION_DEFAULTS[r.name] === r.setting);
}

/**
 * After a change committed: the role's sessions in this database that are idle and began before it
 * still run with the old values (Postgres reads role defaults only at backend start), and a pooler
 * would hand them out for ever — PgBouncer keeps idle server connections for server_lifetime. Ending
 * them is harmless (idle: no transaction): PgBouncer opens fresh ones, and the apps' pools drop a
 * client whose session ended (pg-client-errors). A session busy at this moment is left alone; the
 * replicas' own migration sessions end themselves (openMigratedDataSource).
 */
export async function endStaleSessions(runner: SqlRunner): Promise<number> {
  const rows = (await runner.query(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
      WHERE datname = current_database() AND usename = current_user AND pid <> pg_backend_pid()
        AND state = 'idle' AND backend_start < clock_timestamp()`,
  )) as { ended: boolean }[];
  return rows.filter((r) => r.ended).length;
}
