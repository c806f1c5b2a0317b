import { loadRelayConfig } from './relay-config';

describe('loadRelayConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadRelayConfig({})).toEqual({
      port: 4000,
      logLevel: 'info',
      redisUrl: 'redis://127.0.0.1:6379/0',
      adminToken: 'dev-admin-token',
      name: 'relay-4000',
    });
  });

  it('prefers RELAY_REDIS_URL over REDIS_URL and names the relay after its port', () => {
    const config = loadRelayConfig({ PORT: '4100', REDIS_URL: 'redis://a:1/1', RELAY_REDIS_URL: 'redis://b:2/2' });
    expect(config.redisUrl).toBe('redis://b:2/2');
    expect(config.name).toBe('relay-4100');
    expect(loadRelayConfig({ REDIS_URL: 'redis://a:1/1' }).redisUrl).toBe('redis://a:1/1');
  });

  it('requires RELAY_ADMIN_TOKEN in production', () => {
    expect(() => loadRelayConfig({ NODE_ENV: 'production' })).toThrow(/RELAY_ADMIN_TOKEN: required/);
    expect(loadRelayConfig({ NODE_ENV: 'production', RELAY_ADMIN_TOKEN: 's3cret' }).adminToken).toBe('s3cret');
  });

  it('lists every bad variable in one error', () => {
    expect(() => loadRelayConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
});
