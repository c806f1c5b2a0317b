import { Socket } from 'node:net';

/**
 * Server-side bounds for every session of the apps, kept as their role's defaults in the database
 * (session-defaults.ts: not sent at connect, which PgBouncer in transaction mode cannot carry).
 * Our statements are short: the longest are batch updates of one user's rows.
 * - statement_timeout: a statement that runs this long is a bug or a lock pile-up; it fails and its
 *   caller retries, instead of holding a pooled connection for good;
 * - lock_timeout: a row lock held by a session whose client went silent (a frozen socket mid-
 *   transaction) would otherwise block every later event of that connection until the server
 *   notices; failing the waiter lets its job retry;
 * - idle_in_transaction_session_timeout: the server ends such a session (and frees its locks) when
 *   its client stops talking inside a transaction;
 * - default_transaction_isolation: the code assumes read committed (row locks + re-reads); pinned
 *   so a server default of repeatable read cannot change what `SELECT … FOR UPDATE` sees.
 */
export const PG_STATEMENT_TIMEOUT_MS = 15_000;
export const PG_LOCK_TIMEOUT_MS = 10_000;
export const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;
/**
 * Client side: a socket that passes no byte for this long is destroyed, so the pool drops the
 * client and the query fails (and is retried) instead of waiting on a frozen socket for ever —
 * what a NAT, a load balancer's idle timeout or a failover leaves behind; TCP keepalive cannot see
 * it when a proxy's kernel still answers. It must exceed the longest statement (statement_timeout)
 * and the pool's idle timeout, after which an idle client is closed anyway.
 */
export const PG_SOCKET_SILENCE_MS = PG_STATEMENT_TIMEOUT_MS + 5_000;
export const PG_POOL_IDLE_TIMEOUT_MS = 10_000;
/** A connect (TCP + startup + auth) longer than this fails; so does a wait for a pooled client. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
export const PG_KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** A socket for pg that destroys itself after PG_SOCKET_SILENCE_MS without a byte either way. */
export function silenceBoundedSocket(silenceMs = PG_SOCKET_SILENCE_MS): Socket {
  const socket = new Socket();
  socket.setTimeout(silenceMs, () => socket.destroy(new Error(`Postgres socket silent for ${silenceMs} ms; dropped`)));
  return socket;
}

/**
 * The pg pool options (TypeORM's `extra`) every app uses: bounded connects, keepalive, a silence
 * bound on each socket, and the app's pool size. No startup `options` and no session state: the
 * same options work straight to Postgres and through PgBouncer in transaction mode (the session
 * bounds come from the role's defaults, and SQL names its schema). Statement names are given by the
 * pool's client class (openMigratedDataSource, prepared-statements.ts), only where the session is
 * ours; never give a query a `name` by hand (docs/operations.md "PgBouncer").
 */
export function resilientPgPoolOptions(max: number, silenceMs = PG_SOCKET_SILENCE_MS): Record<string, unknown> {
  return {
    max,
    idleTimeoutMillis: PG_POOL_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS,
    stream: () => silenceBoundedSocket(silenceMs),
  };
}
