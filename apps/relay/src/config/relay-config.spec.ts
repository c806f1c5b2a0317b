import { loadRelayConfig } from './relay-config';

describe('loadRelayConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadRelayConfig({})).toEqual({
      port: 4000,
      logLevel: 'info',
      redisUrl: 'redis://127.0.0.1:6379/0',
      redisClusterNodes: [],
      adminToken: 'dev-admin-token',
      name: 'relay-4000',
      bounds: {
        queuesPerCaller: 100_000,
        messagesPerQueue: 10_000,
        messageBytes: 131_072,
        requestsPerSecond: 5_000,
        streamBufferBytes: 8 * 1024 * 1024,
        streamStallMs: 30_000,
        bookkeepingTtlSeconds: 7 * 24 * 3600,
      },
    });
  });

  it('prefers RELAY_REDIS_URL over REDIS_URL and names the relay after its port', () => {
    const config = loadRelayConfig({ PORT: '4100', REDIS_URL: 'redis://a:1/1', RELAY_REDIS_URL: 'redis://b:2/2' });
    expect(config.redisUrl).toBe('redis://b:2/2');
    expect(config.name).toBe('relay-4100');
    expect(loadRelayConfig({ REDIS_URL: 'redis://a:1/1' }).redisUrl).toBe('redis://a:1/1');
  });

  it('reads RELAY_REDIS_CLUSTER_NODES as host:port seeds, and names a bad one', () => {
    expect(loadRelayConfig({ RELAY_REDIS_CLUSTER_NODES: 'redis-1:7001, 10.0.0.2:7002,[::1]:7003' }).redisClusterNodes).toEqual([
      { host: 'redis-1', port: 7001 },
      { host: '10.0.0.2', port: 7002 },
      { host: '::1', port: 7003 },
    ]);
    expect(() => loadRelayConfig({ RELAY_REDIS_CLUSTER_NODES: 'redis-1:7001,redis-2' })).toThrow(/RELAY_REDIS_CLUSTER_NODES: must be comma-separated host:port seeds: "redis-2" is not host:port/);
    expect(() => loadRelayConfig({ RELAY_REDIS_CLUSTER_NODES: 'redis-1:70000' })).toThrow(/RELAY_REDIS_CLUSTER_NODES/);
  });

  it('requires RELAY_ADMIN_TOKEN in production', () => {
    expect(() => loadRelayConfig({ NODE_ENV: 'production' })).toThrow(/RELAY_ADMIN_TOKEN: required/);
    expect(loadRelayConfig({ NODE_ENV: 'production', RELAY_ADMIN_TOKEN: 's3cret-of-16-chars+' }).adminToken).toBe('s3cret-of-16-chars+');
  });

  it.each(['dev-admin-token', 'change-me-relay-admin-token', 'short'])('refuses the guessable token %s in production, without printing it', (token) => {
    expect(() => loadRelayConfig({ NODE_ENV: 'production', RELAY_ADMIN_TOKEN: token })).toThrow(/RELAY_ADMIN_TOKEN: must be a secret/);
    try {
      loadRelayConfig({ NODE_ENV: 'production', RELAY_ADMIN_TOKEN: token });
    } catch (err) {
      expect((err as Error).message).not.toContain(token);
    }
  });

  it('never prints a secret value in a config error', () => {
    const secret = 'super-secret-admin-token-value';
    try {
      loadRelayConfig({ RELAY_ADMIN_TOKEN: secret, PORT: 'x', RELAY_MAX_QUEUES_PER_CALLER: '-1' });
      throw new Error('should have thrown');
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('lists every bad variable in one error', () => {
    expect(() => loadRelayConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
});
