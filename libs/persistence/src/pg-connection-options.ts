import { Socket } from 'node:net';

/**
 * Server-side bounds, sent as `-c` options at connect (so they hold for every session of the pool,
 * whatever runs on it). Our statements are short: the longest are batch updates of one user's rows.
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

/** `-c` settings for the `options` startup parameter, after the app's own (e.g. search_path). */
export function pgSessionSettings(searchPath: string): string {
  return [
    `-c search_path=${searchPath}`,
    `-c statement_timeout=${PG_STATEMENT_TIMEOUT_MS}`,
    `-c lock_timeout=${PG_LOCK_TIMEOUT_MS}`,
    `-c idle_in_transaction_session_timeout=${PG_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
    `-c default_transaction_isolation=read\\ committed`,
  ].join(' ');
}

/** A socket for pg that destroys itself after PG_SOCKET_SILENCE_MS without a byte either way. */
export function silenceBoundedSocket(silenceMs = PG_SOCKET_SILENCE_MS): Socket {
  const socket = new Socket();
  socket.setTimeout(silenceMs, () => socket.destroy(new Error(`Postgres socket silent for ${silenceMs} ms; dropped`)));
  return socket;
}

/**
 * The pg pool options (TypeORM's `extra`) every app uses: bounded connects, keepalive, a silence
 * bound on each socket, the session settings above, and the app's pool size.
 */
export function resilientPgPoolOptions(searchPath: string, max: number, silenceMs = PG_SOCKET_SILENCE_MS): Record<string, unknown> {
  return {
    options: pgSessionSettings(searchPath),
    max,
    idleTimeoutMillis: PG_POOL_IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS,
    stream: () => silenceBoundedSocket(silenceMs),
  };
}
