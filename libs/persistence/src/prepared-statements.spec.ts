import { Client } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { PgBouncerProcess, startPgBouncer } from '../../../test/support/pgbouncer-process';
import { startTcpProxy, TcpProxy } from '../../../test/support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { MigratedDataSourceOptions, openMigratedDataSource } from './migrated-data-source';
import { MAX_PREPARED_PER_SESSION, plannedPerCall, PreparedStatementsMode, statementName } from './prepared-statements';
import { sqlRows } from './sql-rows';

const SCHEMA = 'prep';
const LOOKUP = `SELECT id, note FROM ${SCHEMA}.items WHERE id = $1`;

/**
 * Named statements against the real server: what a session has prepared is read from its own
 * pg_prepared_statements, in the same session (a pinned query runner).
 */
describe('named statements (DATABASE_PREPARED_STATEMENTS)', () => {
  let testDb: TestDatabase;
  const opened: DataSource[] = [];
  const runners: QueryRunner[] = [];

  const open = async (url: string, preparedStatements: PreparedStatementsMode, max: number) => {
    const options: MigratedDataSourceOptions = { type: 'postgres', url, schema: SCHEMA, entities: [], migrations: [], extra: { max }, preparedStatements };
    const ds = await openMigratedDataSource(options);
    opened.push(ds);
    return ds;
  };
  const pinned = async (ds: DataSource) => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    runners.push(runner);
    return runner;
  };
  const preparedIn = async (runner: QueryRunner): Promise<string[]> =>
    ((await runner.query(`SELECT name FROM pg_prepared_statements ORDER BY name`)) as { name: string }[]).map((r) => r.name);

  // A session of its own per statement: the first start-up ends the sessions opened before it (session-defaults).
  const adminQuery = async (sql: string) => {
    const admin = new Client({ connectionString: testDb.url });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('prepared-statements');
    await adminQuery(`CREATE SCHEMA ${SCHEMA}; CREATE TABLE ${SCHEMA}.items (id int PRIMARY KEY, note text); INSERT INTO ${SCHEMA}.items VALUES (1, 'one'), (2, 'two')`);
  });
  afterEach(async () => {
    await Promise.allSettled(runners.splice(0).map((r) => r.release()));
    await Promise.allSettled(opened.splice(0).map((ds) => ds.destroy()));
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('auto, straight to Postgres: a parameterised statement is prepared once per session under its text\'s name, by runners and by the pool alike', async () => {
    const ds = await open(testDb.url, 'auto', 1);
    expect(await sqlRows(ds, LOOKUP, [1])).toEqual([{ id: 1, note: 'one' }]); // pool.query: pg's callback form
    const runner = await pinned(ds); // the pool's only session, the one the pool.query above ran on
    expect(await runner.query(LOOKUP, [2])).toEqual([{ id: 2, note: 'two' }]);
    expect(await preparedIn(runner)).toEqual([statementName(LOOKUP)]);
    // No parameters: the simple protocol as before (several statements in one string stay possible).
    await runner.query(`SELECT 1; SELECT 2`);
    // Marked to be planned for its values on every call: never named.
    expect(await runner.query(plannedPerCall(LOOKUP), [1])).toEqual([{ id: 1, note: 'one' }]);
    expect(await preparedIn(runner)).toEqual([statementName(LOOKUP)]);
  });

  it('auto through a TCP proxy (something between us and Postgres): nothing is prepared', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(testDb.url).port || 5432) });
    try {
      const ds = await open(proxy.url(testDb.url), 'auto', 1);
      const runner = await pinned(ds);
      expect(await runner.query(LOOKUP, [1])).toEqual([{ id: 1, note: 'one' }]);
      expect(await preparedIn(runner)).toEqual([]);
    } finally {
      await Promise.allSettled(runners.splice(0).map((r) => r.release()));
      await Promise.allSettled(opened.splice(0).map((ds) => ds.destroy()));
      await proxy.stop();
    }
  });

  it('off: nothing is prepared straight to Postgres either', async () => {
    const runner = await pinned(await open(testDb.url, 'off', 1));
    await runner.query(LOOKUP, [1]);
    expect(await preparedIn(runner)).toEqual([]);
  });

  it(`a session prepares at most ${MAX_PREPARED_PER_SESSION} texts; the rest run unnamed`, async () => {
    const runner = await pinned(await open(testDb.url, 'auto', 1));
    const texts = Array.from({ length: MAX_PREPARED_PER_SESSION + 10 }, (_, i) => `SELECT $1::int + ${i} AS n`);
    for (const [i, text] of texts.entries()) expect(await runner.query(text, [1])).toEqual([{ n: 1 + i }]);
    const prepared = await preparedIn(runner);
    expect(prepared).toHaveLength(MAX_PREPARED_PER_SESSION);
    expect(prepared).toEqual(texts.slice(0, MAX_PREPARED_PER_SESSION).map(statementName).sort());
    expect(await runner.query(texts[0]!, [5])).toEqual([{ n: 5 }]); // a kept one is still served
  });

  it('a table changed under a prepared SELECT * (another replica\'s migration): that query fails once, the session goes on unnamed', async () => {
    const runner = await pinned(await open(testDb.url, 'auto', 1));
    const all = `SELECT * FROM ${SCHEMA}.items WHERE id = $1`;
    expect(await runner.query(all, [1])).toEqual([{ id: 1, note: 'one' }]);
    await adminQuery(`ALTER TABLE ${SCHEMA}.items ADD COLUMN extra int`);
    try {
      await expect(runner.query(all, [1])).rejects.toMatchObject({ code: '0A000' }); // cached plan must not change result type
      expect(await runner.query(all, [1])).toEqual([{ id: 1, note: 'one', extra: null }]);
    } finally {
      await adminQuery(`ALTER TABLE ${SCHEMA}.items DROP COLUMN extra`);
    }
  });

  describe('through PgBouncer 1.18 in transaction mode (one server session for every client)', () => {
    let bouncer: PgBouncerProcess;
    beforeAll(async () => {
      bouncer = await startPgBouncer({ label: 'prepared-statements', target: testDb.url, poolSize: 1 });
    });
    afterAll(async () => {
      await bouncer?.stop();
    });

    it('auto sees the pooler (the server\'s client is PgBouncer\'s socket, not ours): nothing is prepared', async () => {
      const ds = await open(bouncer.url(testDb.url), 'auto', 2);
      const [a, b] = [await pinned(ds), await pinned(ds)];
      expect(await a.query(LOOKUP, [1])).toEqual([{ id: 1, note: 'one' }]);
      expect(await b.query(LOOKUP, [2])).toEqual([{ id: 2, note: 'two' }]);
      expect(await preparedIn(a)).toEqual([]);
    });

    it('on, where a pooler shares sessions: the statement that meets another client\'s name fails once, then every statement goes unnamed', async () => {
      const ds = await open(bouncer.url(testDb.url), 'on', 2);
      const [a, b] = [await pinned(ds), await pinned(ds)];
      expect(await a.query(LOOKUP, [1])).toEqual([{ id: 1, note: 'one' }]); // prepared on the one server session
      // b's pg client never parsed it, so it sends the Parse again, to the session that has the name.
      await expect(b.query(LOOKUP, [2])).rejects.toMatchObject({ code: '42P05' }); // duplicate_prepared_statement
      expect(await b.query(LOOKUP, [2])).toEqual([{ id: 2, note: 'two' }]);
      const other = `SELECT note FROM ${SCHEMA}.items WHERE id = $1 AND note IS NOT NULL`;
      expect(await a.query(other, [1])).toEqual([{ note: 'one' }]);
      expect(await b.query(other, [2])).toEqual([{ note: 'two' }]);
      expect(await preparedIn(b)).toEqual([statementName(LOOKUP)]); // only the first one, from before the failure
    });
  });
});
