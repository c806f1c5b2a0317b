import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Redis from 'ioredis';

export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Each test file gets its own BullMQ prefix (a hash tag, like the production `{gc}`). */
export function testQueuePrefix(label: string): string {
  return `{t-${label}-${uniqueSuffix()}}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Each test file gets its own database, so the apps' `agent` and `chat` schemas never collide. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `gc_t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Every key matching `pattern` (a SCAN glob), so a test's queues and relay storage leave nothing behind. */
export async function scanKeys(redisUrl: string, pattern: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key matching `pattern`. */
export async function dropKeys(redisUrl: string, pattern: string): Promise<void> {
  const keys = await scanKeys(redisUrl, pattern);
  if (keys.length === 0) return;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes a test's queue keys: under its prefix and under every shard prefix of it (QUEUE_SHARDS > 1
 * puts shard n under `{t-…:n}`, which `{t-…}*` does not match).
 */
export async function dropQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  await dropKeys(redisUrl, `${prefix}*`);
  if (prefix.endsWith('}')) await dropKeys(redisUrl, `${prefix.slice(0, -1)}:*`);
}
