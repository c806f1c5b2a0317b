import Redis from 'ioredis';
import { SHARED_REDIS_URL, testQueuePrefix } from '../../../../test/support/test-isolation';
import { QueueLossMarker, queueLossMarkerKey } from './queue-loss-marker';

// Against the real Redis: the detection is the SET NX and what a FLUSHDB does to the key.
describe('QueueLossMarker', () => {
  const redis = new Redis(SHARED_REDIS_URL);
  const key = queueLossMarkerKey(testQueuePrefix('marker'));
  const marker = () => new QueueLossMarker((k, v) => redis.set(k, v, 'NX', 'GET'), key);
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('reports nothing while the key stays; a loss once when it goes, to every chat that shares it', async () => {
    const chatA = marker();
    const chatB = marker();
    expect(await chatA.lost()).toBe(false);
    expect(await chatB.lost()).toBe(false);
    const shared = await redis.get(key);
    expect(shared).toEqual(expect.any(String));
    expect(await chatA.lost()).toBe(false);
    expect(await chatB.lost()).toBe(false);
    expect(await redis.get(key)).toBe(shared);

    await redis.del(key); // what a FLUSHDB does to it
    expect(await chatA.lost()).toBe(true); // A finds it missing and writes a new value
    expect(await redis.get(key)).not.toBe(shared);
    expect(await chatB.lost()).toBe(true); // B finds A's value, not the one it saw
    expect(await chatA.lost()).toBe(false);
    expect(await chatB.lost()).toBe(false);
  });

  it('a chat started after the loss learns the new marker without reporting a loss', async () => {
    await redis.del(key);
    expect(await marker().lost()).toBe(false);
  });
});
