import type { RedisOptions } from 'ioredis';

/**
 * A socket that passes no byte for this long while a command waits for its reply is dead, even
 * if it is still open (a NAT or load balancer that dropped its state, a partition, a frozen
 * proxy): ioredis destroys it and reconnects, and the command fails or is re-sent. It must
 * exceed the longest legitimate silence: BullMQ blocks at most 10 s (BZPOPMIN, its
 * `maximumBlockTimeout`) and its own watchdog gives up 1 s after that. TCP keepalive cannot
 * replace it: a proxy's kernel answers the probes of a socket the proxy no longer serves.
 */
export const REDIS_SOCKET_SILENCE_MS = 15_000;
/** A TCP connect (or TLS handshake) longer than this is abandoned; then the retry strategy. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** TCP keepalive after this much idleness: finds peers that vanished without a FIN (a host down). */
export const REDIS_KEEPALIVE_MS = 10_000;
/** Reconnect backoff: 100 ms · 2ⁿ with ±25 % jitter, capped (ioredis' default grows by 50 ms a try). */
export const REDIS_RECONNECT_BASE_MS = 100;
export const REDIS_RECONNECT_MAX_MS = 2_000;

/** The reconnect delay of the n-th attempt in a row (1-based, as ioredis counts); never null: never give up. */
export function redisReconnectDelay(times: number, random: () => number = Math.random): number {
  const exponential = Math.min(REDIS_RECONNECT_MAX_MS, REDIS_RECONNECT_BASE_MS * 2 ** Math.min(Math.max(times - 1, 0), 16));
  return Math.round(Math.min(REDIS_RECONNECT_MAX_MS, exponential * (0.75 + random() * 0.5)));
}

/**
 * Parses `redis://[user:pass@]host:port[/db]` into ioredis options. The database number matters:
 * tests and deployments put the queues and the relay's storage in different databases.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid Redis URL "${url}": expected redis://host:port[/db]`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`invalid Redis URL "${url}": protocol must be redis: or rediss:`);
  }
  const dbPath = parsed.pathname.replace(/^\//, '');
  const db = dbPath === '' ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0 || db > 15) {
    throw new Error(`invalid Redis URL "${url}": database must be an integer 0..15`);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; they must never give up a command because Redis was away.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    socketTimeout: REDIS_SOCKET_SILENCE_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    keepAlive: REDIS_KEEPALIVE_MS,
    retryStrategy: (times) => redisReconnectDelay(times),
  };
}
