import { Pool } from 'pg';
import { eventually } from '../../../test/support/eventually';
import { startTcpProxy, TcpProxy } from '../../../test/support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { resilientPgPoolOptions } from './pg-connection-options';

// A frozen socket (open, silent) between the pool and Postgres: without the silence bound a query
// on it waits for ever, and the pool hands the broken client out again.
describe('resilientPgPoolOptions', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let pool: Pool;
  const SILENCE_MS = 1_500;

  beforeAll(async () => {
    testDb = await createTestDatabase('pg-options');
    const target = new URL(testDb.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    pool = new Pool({ connectionString: proxy.url(testDb.url), ...resilientPgPoolOptions(2, SILENCE_MS) });
    pool.on('error', () => undefined); // idle clients dropped by the freeze
  });
  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await proxy?.stop();
    await testDb?.drop();
  });

  it('sends no startup options (PgBouncer refuses them) and no session state', () => {
    expect(resilientPgPoolOptions(2)).not.toHaveProperty('options');
  });

  it('a query on a frozen socket fails within the silence bound, and the pool recovers once sockets pass', async () => {
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
    proxy.setMode('freeze-all');
    const started = Date.now();
    await expect(pool.query('SELECT 1')).rejects.toThrow();
    const failedAfter = Date.now() - started;
    expect(failedAfter).toBeLessThan(SILENCE_MS + 4_000);
    proxy.setMode('pass');
    const v = await eventually(async () => (await pool.query('SELECT 42 AS v')).rows[0].v, { timeoutMs: 15_000, what: 'a query after the freeze' });
    expect(v).toBe(42);
  });
});
