import { loadChatConfig } from './chat-config';

describe('loadChatConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadChatConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.QUEUE_PREFIX).toBe('{gc}');
    expect(config.RECONCILE_INTERVAL_MS).toBe(5_000);
    expect(config.RECONCILE_STALE_MS).toBe(15_000);
    expect(config.QUEUE_SHARDS).toBe(1);
    expect(config.REDIS_CLUSTER_NODES).toEqual([]);
    expect(config.DATABASE_POOL_SIZE).toBe(20);
    expect(config.DATABASE_MIGRATION_URL).toBeUndefined();
  });

  it('reads DATABASE_POOL_SIZE (a positive whole number) and DATABASE_MIGRATION_URL (a postgres URL)', () => {
    expect(loadChatConfig({ DATABASE_POOL_SIZE: '8' }).DATABASE_POOL_SIZE).toBe(8);
    expect(loadChatConfig({ DATABASE_MIGRATION_URL: 'postgresql://u@db/gc' }).DATABASE_MIGRATION_URL).toBe('postgresql://u@db/gc');
    for (const bad of ['0', '2.5', 'x']) expect(() => loadChatConfig({ DATABASE_POOL_SIZE: bad })).toThrow('DATABASE_POOL_SIZE');
    expect(() => loadChatConfig({ DATABASE_MIGRATION_URL: 'http://db' })).toThrow('DATABASE_MIGRATION_URL');
  });

  it('reads DATABASE_PREPARED_STATEMENTS: auto (default), on or off', () => {
    expect(loadChatConfig({}).DATABASE_PREPARED_STATEMENTS).toBe('auto');
    expect(loadChatConfig({ DATABASE_PREPARED_STATEMENTS: 'on' }).DATABASE_PREPARED_STATEMENTS).toBe('on');
    expect(() => loadChatConfig({ DATABASE_PREPARED_STATEMENTS: 'always' })).toThrow('DATABASE_PREPARED_STATEMENTS');
  });

  it('reads QUEUE_SHARDS and REDIS_CLUSTER_NODES (empty = unset), and names a malformed seed list', () => {
    expect(loadChatConfig({ QUEUE_SHARDS: '', REDIS_CLUSTER_NODES: '' })).toMatchObject({ QUEUE_SHARDS: 1, REDIS_CLUSTER_NODES: [] });
    expect(loadChatConfig({ QUEUE_SHARDS: '8', REDIS_CLUSTER_NODES: 'r1:7000' })).toMatchObject({ QUEUE_SHARDS: 8, REDIS_CLUSTER_NODES: [{ host: 'r1', port: 7000 }] });
    expect(() => loadChatConfig({ QUEUE_SHARDS: '0' })).toThrow('QUEUE_SHARDS');
    expect(() => loadChatConfig({ REDIS_CLUSTER_NODES: 'r1:7000,r2' })).toThrow(/REDIS_CLUSTER_NODES: .*"r2" is not host:port/);
  });

  it('names every bad variable', () => {
    expect(() => loadChatConfig({ PORT: 'x', RECONCILE_STALE_MS: '-1' })).toThrow(/PORT[\s\S]*RECONCILE_STALE_MS/);
  });
});
