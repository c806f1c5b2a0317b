import { loadAgentConfig } from './agent-config';

describe('loadAgentConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadAgentConfig({})).toEqual({
      PORT: 3001,
      LOG_LEVEL: 'info',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      QUEUE_PREFIX: '{gc}',
      QUEUE_SHARDS: 1,
      REDIS_CLUSTER_NODES: [],
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      DATABASE_POOL_SIZE: 10,
      DATABASE_PREPARED_STATEMENTS: 'auto',
      RELAY_URLS: ['http://127.0.0.1:4000'],
      RELAY_TIMEOUT_MS: 3_000,
      RELAY_HEDGE_MS: 250,
      RELAY_BATCH_MAX_OPS: 32,
      RETRY_BASE_MS: 500,
      RETRY_FACTOR: 1.5,
      RETRY_MAX_MS: 30_000,
      AGENT_CONCURRENCY: 32,
      UNKNOWN_ERROR_ATTEMPTS: 10,
    });
  });

  it('reads QUEUE_SHARDS (1..64) and REDIS_CLUSTER_NODES seeds, and names a malformed one', () => {
    const c = loadAgentConfig({ QUEUE_SHARDS: '4', REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' });
    expect(c.QUEUE_SHARDS).toBe(4);
    expect(c.REDIS_CLUSTER_NODES).toEqual([{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }]);
    for (const bad of ['0', '65', '2.5', 'four']) expect(() => loadAgentConfig({ QUEUE_SHARDS: bad })).toThrow('QUEUE_SHARDS');
    expect(() => loadAgentConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis://x:1' })).toThrow(/REDIS_CLUSTER_NODES: must be comma-separated host:port seeds: "redis:\/\/x:1" is not host:port/);
  });

  it('splits RELAY_URLS on commas, trimming spaces and trailing slashes', () => {
    expect(loadAgentConfig({ RELAY_URLS: 'http://a:1/, http://b:2' }).RELAY_URLS).toEqual(['http://a:1', 'http://b:2']);
  });

  it('takes RELAY_BATCH_MAX_OPS from 1 (off) to the relay\'s 64, and refuses others', () => {
    expect(loadAgentConfig({ RELAY_BATCH_MAX_OPS: '1' }).RELAY_BATCH_MAX_OPS).toBe(1);
    expect(loadAgentConfig({ RELAY_BATCH_MAX_OPS: '64' }).RELAY_BATCH_MAX_OPS).toBe(64);
    for (const bad of ['0', '65', '2.5']) expect(() => loadAgentConfig({ RELAY_BATCH_MAX_OPS: bad })).toThrow('RELAY_BATCH_MAX_OPS');
  });

  it('takes RELAY_HEDGE_MS=0 as hedging off, and refuses a negative or fractional one', () => {
    expect(loadAgentConfig({ RELAY_HEDGE_MS: '0' }).RELAY_HEDGE_MS).toBe(0);
    expect(() => loadAgentConfig({ RELAY_HEDGE_MS: '-1' })).toThrow('RELAY_HEDGE_MS');
    expect(() => loadAgentConfig({ RELAY_HEDGE_MS: '2.5' })).toThrow('RELAY_HEDGE_MS');
  });

  it('names every bad variable in one readable error', () => {
    const bad = () => loadAgentConfig({ RELAY_URLS: 'nope', AGENT_CONCURRENCY: '0', RETRY_FACTOR: 'fast' });
    expect(bad).toThrow(/^invalid agent configuration: /);
    for (const name of ['RELAY_URLS', 'AGENT_CONCURRENCY', 'RETRY_FACTOR']) expect(bad).toThrow(name);
  });

  it('reads DATABASE_POOL_SIZE (a positive whole number) and DATABASE_MIGRATION_URL (a postgres URL; empty = unset)', () => {
    const c = loadAgentConfig({ DATABASE_POOL_SIZE: '4', DATABASE_MIGRATION_URL: 'postgres://postgres@db:5432/gc' });
    expect([c.DATABASE_POOL_SIZE, c.DATABASE_MIGRATION_URL]).toEqual([4, 'postgres://postgres@db:5432/gc']);
    expect(loadAgentConfig({ DATABASE_MIGRATION_URL: '' }).DATABASE_MIGRATION_URL).toBeUndefined();
    for (const bad of ['0', '-1', '2.5', 'ten']) expect(() => loadAgentConfig({ DATABASE_POOL_SIZE: bad })).toThrow('DATABASE_POOL_SIZE');
    expect(() => loadAgentConfig({ DATABASE_MIGRATION_URL: 'mysql://x' })).toThrow('DATABASE_MIGRATION_URL');
  });

  it('reads DATABASE_PREPARED_STATEMENTS: auto (default, empty = unset), on or off', () => {
    expect(loadAgentConfig({}).DATABASE_PREPARED_STATEMENTS).toBe('auto');
    expect(loadAgentConfig({ DATABASE_PREPARED_STATEMENTS: '' }).DATABASE_PREPARED_STATEMENTS).toBe('auto');
    expect(loadAgentConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).DATABASE_PREPARED_STATEMENTS).toBe('off');
    for (const bad of ['yes', 'ON', '1']) expect(() => loadAgentConfig({ DATABASE_PREPARED_STATEMENTS: bad })).toThrow('DATABASE_PREPARED_STATEMENTS');
  });
});
