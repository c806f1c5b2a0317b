import { redisOptionsFromUrl } from '@gc/queueing';
import Redis from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

/**
 * Fails fast with a readable message when Redis does not answer, instead of letting four
 * children retry in the background while `npm start` looks stuck.
 */
export async function ensureRedisAnswers(url: string): Promise<void> {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError ??= err)); // reported below, once
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const where = new URL(url).host;
    const reason = (socketError ?? (err as Error)).message;
    throw new Error(`Redis at ${where} does not answer (${reason}); start it (see DEVELOPERS.md) or set REDIS_URL`);
  } finally {
    client.disconnect();
  }
}
