import { REDIS_RECONNECT_MAX_MS, REDIS_SOCKET_SILENCE_MS, redisOptionsFromUrl, redisReconnectDelay } from './redis-connection';

describe('redisOptionsFromUrl', () => {
  it('detects silent sockets and reconnects with a capped backoff', () => {
    const o = redisOptionsFromUrl('redis://127.0.0.1:6390/2');
    expect(o).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2, maxRetriesPerRequest: null, socketTimeout: REDIS_SOCKET_SILENCE_MS });
    // Longer than BullMQ's longest block (10 s) plus its watchdog's second: an idle worker is not "silent".
    expect(REDIS_SOCKET_SILENCE_MS).toBeGreaterThan(11_000);
    expect(o.connectTimeout).toBeGreaterThan(0);
    expect(o.keepAlive).toBeGreaterThan(0);
    expect(o.retryStrategy?.(1_000_000)).toBeLessThanOrEqual(REDIS_RECONNECT_MAX_MS);
  });

  it('reconnect delays grow exponentially, stay within jitter, and are capped', () => {
    expect(redisReconnectDelay(1, () => 0.5)).toBe(100);
    expect(redisReconnectDelay(3, () => 0.5)).toBe(400);
    for (const times of [1, 5, 10, 100, 10_000]) {
      for (const r of [0, 0.999]) expect(redisReconnectDelay(times, () => r)).toBeLessThanOrEqual(REDIS_RECONNECT_MAX_MS);
    }
    expect(redisReconnectDelay(50, () => 0.5)).toBe(REDIS_RECONNECT_MAX_MS);
  });
});
