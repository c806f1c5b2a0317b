import type { RedisOptions } from 'ioredis';

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
  };
}
