import { z } from 'zod';
import { PREPARED_STATEMENTS_MODES, PreparedStatementsMode } from './prepared-statements';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * The env both the agent and the chat read about their Postgres pool and migrations, spread into
 * each app's config schema (each keeps its own DATABASE_URL and pool-size default).
 * - DATABASE_POOL_SIZE: the app's pg pool per process. Through PgBouncer it bounds the app's client
 *   connections to PgBouncer, not Postgres' backends (docs/operations.md "PgBouncer").
 * - DATABASE_MIGRATION_URL: where the start-up migrations run, for an operator whose pooler forbids
 *   DDL; DATABASE_URL when unset (the migrations work through PgBouncer in transaction mode too).
 * - DATABASE_PREPARED_STATEMENTS: `auto` (named statements when nothing sits between the app and
 *   Postgres), `on` (PgBouncer >= 1.21 with max_prepared_statements), `off` (prepared-statements.ts).
 */
export function databasePoolEnv(defaultPoolSize: number) {
  return {
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().max(1_000).default(defaultPoolSize),
    DATABASE_MIGRATION_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().regex(POSTGRES_URL, 'must be postgres://...').optional(),
    ),
    DATABASE_PREPARED_STATEMENTS: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(PREPARED_STATEMENTS_MODES as [PreparedStatementsMode, ...PreparedStatementsMode[]]).default('auto'),
    ),
  };
}
