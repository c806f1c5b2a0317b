import { Client } from 'pg';
import { eventually } from '../../../test/support/eventually';
import { PgBouncerProcess, startPgBouncer } from '../../../test/support/pgbouncer-process';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { openMigratedDataSource } from './migrated-data-source';
import { PG_IDLE_IN_TRANSACTION_TIMEOUT_MS, PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS } from './pg-connection-options';

/**
 * The bounds pg-connection-options explains, as they act through PgBouncer in transaction mode, where
 * no session setting survives: they are the role's defaults (written by an app's start-up), so every
 * server session PgBouncer opens has them.
 */
describe('session bounds through PgBouncer in transaction mode', () => {
  let testDb: TestDatabase;
  let bouncer: PgBouncerProcess;
  const clients: Client[] = [];
  const connect = async () => {
    const c = new Client({ connectionString: bouncer.url(testDb.url) });
    c.on('error', () => undefined); // the session the server ends
    clients.push(c);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('session-bounds');
    bouncer = await startPgBouncer({ label: 'session-bounds', target: testDb.url, poolSize: 4 });
    // An app's start-up, as it writes the role's defaults.
    await (await openMigratedDataSource({ type: 'postgres', url: bouncer.url(testDb.url), schema: 'bounds', entities: [], migrations: [], extra: { max: 1 } })).destroy();
    const admin = new Client({ connectionString: testDb.url });
    await admin.connect();
    await admin.query(`CREATE TABLE bounds.rows (id int PRIMARY KEY); INSERT INTO bounds.rows VALUES (1)`);
    await admin.end();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await bouncer?.stop();
    await testDb?.drop();
  });

  it('a silent client holding a row lock: the waiter fails by lock_timeout, the server ends the silent session, the lock is free', async () => {
    const holder = await connect();
    await holder.query('BEGIN');
    const { rows: [{ pid }] } = await holder.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid FROM bounds.rows WHERE id = 1 FOR UPDATE`);
    const lockedAt = Date.now();
    // The holder says nothing more from here on, as a client on a frozen socket.
    const waiter = await connect();
    await expect(waiter.query(`UPDATE bounds.rows SET id = 1 WHERE id = 1`)).rejects.toMatchObject({ code: '55P03' }); // lock_not_available
    const waited = Date.now() - lockedAt;
    expect(waited).toBeGreaterThanOrEqual(PG_LOCK_TIMEOUT_MS - 500);
    expect(waited).toBeLessThan(PG_IDLE_IN_TRANSACTION_TIMEOUT_MS);
    const monitor = await connect();
    await eventually(async () => (await monitor.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid])).rowCount === 0, {
      timeoutMs: PG_IDLE_IN_TRANSACTION_TIMEOUT_MS + 5_000,
      what: 'the silent session ended by idle_in_transaction_session_timeout',
    });
    expect(Date.now() - lockedAt).toBeGreaterThanOrEqual(PG_IDLE_IN_TRANSACTION_TIMEOUT_MS - 500);
    expect((await waiter.query(`UPDATE bounds.rows SET id = 1 WHERE id = 1`)).rowCount).toBe(1);
  }, 60_000);

  it('a statement running past statement_timeout is cancelled by the server', async () => {
    const c = await connect();
    const started = Date.now();
    await expect(c.query(`SELECT pg_sleep(${(PG_STATEMENT_TIMEOUT_MS + 10_000) / 1000})`)).rejects.toMatchObject({ code: '57014' }); // query_canceled
    expect(Date.now() - started).toBeLessThan(PG_STATEMENT_TIMEOUT_MS + 3_000);
  }, 60_000);
});
