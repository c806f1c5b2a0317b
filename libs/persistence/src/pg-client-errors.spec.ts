import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { survivePostgresDisconnects } from './pg-client-errors';

// Regression (fault suite, case 4): pg_terminate_backend used to kill the agent and the chat with an
// unhandled 'error' event on a pooled pg client.
describe('survivePostgresDisconnects', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  const errors: Error[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('pg-client-errors');
    db = survivePostgresDisconnects(await new DataSource({ type: 'postgres', url: testDb.url, extra: { max: 4 } }).initialize(), (e) => errors.push(e));
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('terminated backends are reported to the listener, not thrown; the next query gets a fresh connection', async () => {
    // Clients idle in the pool and one held by a query runner between statements.
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 1'), db.query('SELECT 1')]);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.query('SELECT 1');
    const admin = new Client({ connectionString: testDb.url });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [testDb.name]);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await eventually(() => errors.length > 0, { what: 'the disconnect reported' });
    await runner.release().catch(() => undefined);
    expect(await eventually(async () => (await db.query('SELECT 42 AS v'))[0].v, { what: 'a query after the disconnect' })).toBe(42);
  });
});
