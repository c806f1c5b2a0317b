import Redis from 'ioredis';
import { eventually } from '../../../../test/support/eventually';
import { SHARED_REDIS_URL, testQueuePrefix } from '../../../../test/support/test-isolation';
import { RecoveryLease, recoveryLeaseKey } from './recovery-lease';

// Against the real Redis: the lease is a key, a TTL and two scripts.
describe('RecoveryLease', () => {
  let redis: Redis;
  const key = recoveryLeaseKey(testQueuePrefix('lease'));
  const lease = (ttlMs: number) => new RecoveryLease(async () => redis, key, ttlMs);

  beforeAll(() => {
    redis = new Redis(SHARED_REDIS_URL);
  });
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('one chat of two holds it; the other takes it once the holder stops renewing (died for good)', async () => {
    const a = lease(300);
    const b = lease(300);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true); // renewing
    await eventually(() => b.hold(), { timeoutMs: 5_000, what: "b takes the lapsed lease" });
    expect(await a.hold()).toBe(false);
    await b.release();
  });

  it('a clean shutdown hands it over at once; a release by a non-holder changes nothing', async () => {
    const a = lease(60_000);
    const b = lease(60_000);
    expect(await a.hold()).toBe(true);
    await b.release();
    expect(await b.hold()).toBe(false);
    await a.release();
    expect(await b.hold()).toBe(true);
    await b.release();
  });
});
