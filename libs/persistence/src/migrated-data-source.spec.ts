import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { PgBouncerProcess, startPgBouncer } from '../../../test/support/pgbouncer-process';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { openMigratedDataSource } from './migrated-data-source';
import { PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS } from './pg-connection-options';

const SCHEMA = 'race';

/** Fails when run twice (no IF NOT EXISTS) and counts its runs; slow enough that the replicas overlap. */
class First1700000000001 implements MigrationInterface {
  name = 'First1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${SCHEMA}.runs (migration text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await q.query(`SELECT pg_sleep(0.3)`);
    await q.query(`INSERT INTO ${SCHEMA}.runs (migration) VALUES ('first')`);
  }
  async down(): Promise<void> {}
}
class Second1700000000002 implements MigrationInterface {
  name = 'Second1700000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX runs_by_migration ON ${SCHEMA}.runs (migration)`);
    await q.query(`INSERT INTO ${SCHEMA}.runs (migration) VALUES ('second')`);
  }
  async down(): Promise<void> {}
}

class Third1700000000003 implements MigrationInterface {
  name = 'Third1700000000003';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${SCHEMA}.runs ADD COLUMN note text`);
    await q.query(`SELECT pg_sleep(0.3)`);
    await q.query(`INSERT INTO ${SCHEMA}.runs (migration) VALUES ('third')`);
  }
  async down(): Promise<void> {}
}

const REPLICAS = 5;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.each(['straight to Postgres', 'through PgBouncer in transaction mode'])('openMigratedDataSource, %s', (how) => {
  let testDb: TestDatabase;
  let bouncer: PgBouncerProcess | undefined;
  let url: string;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('migrations-race');
    url = testDb.url;
    if (how !== 'straight to Postgres') {
      // Fewer server connections than replicas: their transactions must share and queue for them.
      bouncer = await startPgBouncer({ label: 'migrations-race', target: testDb.url, poolSize: 2 });
      url = bouncer.url(testDb.url);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(opened.map((d) => d.destroy()));
    await bouncer?.stop();
    await testDb?.drop();
  });

  const startReplicas = async (migrations: Array<new () => MigrationInterface>) => {
    const starts = await Promise.allSettled(
      Array.from({ length: REPLICAS }, () => openMigratedDataSource({ type: 'postgres', url, schema: SCHEMA, entities: [], migrations, extra: { max: 2 } })),
    );
    for (const s of starts) if (s.status === 'fulfilled') opened.push(s.value);
    expect(starts.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
  };

  it(`${REPLICAS} replicas starting together on a fresh database: every one opens, each migration ran once`, async () => {
    await startReplicas([First1700000000001, Second1700000000002]);
    expect(await query(testDb.url, `SELECT migration FROM ${SCHEMA}.runs ORDER BY at`)).toEqual([{ migration: 'first' }, { migration: 'second' }]);
    expect(await query(testDb.url, `SELECT name FROM ${SCHEMA}.migrations ORDER BY id`)).toEqual([{ name: 'First1700000000001' }, { name: 'Second1700000000002' }]);
    // The opened sources work (a query through each).
    for (const d of opened) expect(await d.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.runs`)).toEqual([{ n: 2 }]);
  });

  // The lock of the first round may die with a session that ends itself (its role had no defaults yet);
  // here nothing ends: a session-level lock would stay with a pooled server connection, and a replica
  // on another one would wait for it for ever (this test's deadline).
  it(`${REPLICAS} replicas restarting together with one more migration: every one opens, it ran once`, async () => {
    const settingsVersion = () => query(testDb.url, `SELECT xmin::text AS v FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    const before = await settingsVersion();
    await startReplicas([First1700000000001, Second1700000000002, Third1700000000003]);
    // The role's defaults were in place: no start-up wrote them again (nor ended any session for them).
    expect(await settingsVersion()).toEqual(before);
    expect(await query(testDb.url, `SELECT migration FROM ${SCHEMA}.runs ORDER BY at`)).toEqual([{ migration: 'first' }, { migration: 'second' }, { migration: 'third' }]);
  }, 30_000);

  it("every session gets the bounds as the role's defaults in this database, none sent at connect", async () => {
    // As many transactions at once as PgBouncer has server connections: each of those is looked at.
    const clients = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    const rows = await Promise.all(
      clients.map(async (c) => {
        await c.connect();
        await c.query('BEGIN');
        const { rows: [row] } = await c.query(
          `SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt,
                  current_setting('idle_in_transaction_session_timeout') AS it, current_setting('default_transaction_isolation') AS iso, pg_backend_pid() AS pid`,
        );
        return row as Record<string, string>;
      }),
    );
    await Promise.all(clients.map((c) => c.end()));
    expect(new Set(rows.map((r) => r.pid)).size).toBe(2);
    for (const { pid: _, ...settings } of rows) {
      expect(settings).toEqual({ st: `${PG_STATEMENT_TIMEOUT_MS / 1000}s`, lt: `${PG_LOCK_TIMEOUT_MS / 1000}s`, it: '15s', iso: 'read committed' });
    }
    // Scoped to this database: nothing set for the role in every database (setdatabase 0) of the shared server.
    const [global] = await query<{ n: number }>(
      testDb.url,
      `SELECT count(*)::int AS n FROM pg_db_role_setting
        WHERE setdatabase = 0 AND setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND setconfig::text LIKE '%statement_timeout%'`,
    );
    expect(global).toEqual({ n: 0 });
  });
});

describe('openMigratedDataSource with a migration URL (DATABASE_MIGRATION_URL)', () => {
  let testDb: TestDatabase;
  let bouncer: PgBouncerProcess;
  let opened: DataSource | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase('migration-url');
    bouncer = await startPgBouncer({ label: 'migration-url', target: testDb.url, poolSize: 2 });
  });
  afterAll(async () => {
    await opened?.destroy();
    await bouncer?.stop();
    await testDb?.drop();
  });

  it('runs the migrations there; the data source itself uses the URL', async () => {
    opened = await openMigratedDataSource({
      type: 'postgres',
      url: bouncer.url(testDb.url),
      migrationUrl: testDb.url,
      schema: SCHEMA,
      entities: [],
      migrations: [First1700000000001, Second1700000000002],
      extra: { max: 2 },
    });
    await opened.query(`SELECT 1 FROM ${SCHEMA}.runs`);
    const [stats] = (await bouncer.admin<{ database: string; total_query_count: number }>('SHOW STATS')).filter((s) => s.database === testDb.name);
    // Through PgBouncer only the data source's own queries (its start, its named-statements check and the
    // one above), none of the dozen-odd of the migration transaction.
    expect(Number(stats.total_query_count)).toBeLessThanOrEqual(4);
    expect(await query(testDb.url, `SELECT name FROM ${SCHEMA}.migrations ORDER BY id`)).toHaveLength(2);
  });
});
