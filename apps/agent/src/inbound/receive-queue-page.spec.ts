import 'reflect-metadata';
import { openMigratedDataSource } from '@gc/persistence';
import { DataSource } from 'typeorm';
import { indexesUsed, planKindsOf, planNodes, planOf, seqScannedTables } from '../../../../test/support/query-plan';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { agentDataSourceOptions } from '../persistence/agent-data-source';
import { BUCKET_QUEUES_SQL, bucketQueuePage, RECENT_QUEUES_SQL, recentQueuePage } from './receive-queue-page';
import { recentWindowS } from './owned-queue-subscriber';
import { bucketOf, BucketOwners } from './owner-buckets';

// docs/scaling.md limit 1: the per-second recent pass must read the rows it returns, not every stored
// connection, and a full pass only the owner buckets of its agent. 120,000 stored receive queues on two relays, changed an hour ago or more, and a few
// changed just now: the plan Postgres picks for the pass's own statement has no sequential scan.
describe('receive queue pages (real Postgres, 120k stored connections)', () => {
  const STORED = 120_000;
  const A = 'http://relay-a';
  const B = 'http://relay-b';
  let testDb: TestDatabase;
  let db: DataSource;
  let recentOnA: string[];

  beforeAll(async () => {
    testDb = await createTestDatabase('agent-queue-pages');
    db = await openMigratedDataSource(agentDataSourceOptions(testDb.url, { max: 2 }));
    await db.query(
      `INSERT INTO "agent"."connections" (user_id, conn_id, role, status, created_by, rcv_relay, rcv_recipient_id, rcv_sender_id, updated_at)
       SELECT 'u' || (i % 5000), 'c' || i, 'inviter', 'connected', 'k' || i, CASE WHEN i % 2 = 0 THEN $1 ELSE $2 END,
              md5('r' || i), md5('s' || i), now() - interval '1 hour' - i * interval '1 second'
         FROM generate_series(1, $3::int) i`,
      [A, B, STORED],
    );
    // Changed just now: 30 live queues on A, 10 on B, and a deleted one on A (never subscribed).
    await db.query(`UPDATE "agent"."connections" SET updated_at = now() WHERE conn_id IN (SELECT 'c' || i FROM generate_series(2, 80, 2) i UNION SELECT 'c' || i FROM generate_series(1, 19, 2) i)`);
    await db.query(`UPDATE "agent"."connections" SET status = 'deleted', updated_at = now() WHERE conn_id = 'c100'`);
    await db.query(`ANALYZE "agent"."connections"`);
    recentOnA = (await db.query(`SELECT md5('r' || i) AS id FROM generate_series(2, 80, 2) i ORDER BY 1`)).map((r: { id: string }) => r.id);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('a recent pass returns the live queues of that relay changed within the window, in id order, page by page', async () => {
    expect(await recentQueuePage(db, A, '', 60)).toEqual(recentOnA);
    expect(await recentQueuePage(db, A, recentOnA[19], 60)).toEqual(recentOnA.slice(20));
    expect(await recentQueuePage(db, B, '', 60)).toHaveLength(10);
  });

  it('the recent pass is served by the (rcv_relay, updated_at) index: no sequential scan of agent.connections', async () => {
    for (const kind of planKindsOf(RECENT_QUEUES_SQL)) {
      for (const windowS of [16, 60]) {
        const plan = await planOf(db, RECENT_QUEUES_SQL, [A, '', windowS], kind);
        expect({ kind, windowS, seq: seqScannedTables(plan), indexes: indexesUsed(plan) }).toEqual({ kind, windowS, seq: [], indexes: ['connections_relay_updated'] });
      }
    }
  });

  it('the stored owner bucket is the one the agents compute', async () => {
    const rows: Array<{ rcv_recipient_id: string; owner_bucket: number }> = await db.query(`SELECT rcv_recipient_id, owner_bucket FROM "agent"."connections"`);
    expect(rows).toHaveLength(STORED);
    expect(rows.filter((r) => bucketOf(r.rcv_recipient_id) !== Number(r.owner_bucket))).toEqual([]);
  });

  it("two agents' full passes read each live queue of the relay once, each only its own", async () => {
    const owners = new BucketOwners(['agent-1', 'agent-2']);
    const read = new Map<string, string>();
    for (const agent of ['agent-1', 'agent-2']) {
      for (const [first, last] of owners.runsOf(agent)) {
        for (let from = { bucket: first, id: '' }; ; ) {
          const page = await bucketQueuePage(db, A, from.bucket, from.id, last);
          for (const id of page.ids) {
            expect(read.has(id) || owners.ownerOfQueue(id) !== agent).toBe(false);
            read.set(id, agent);
          }
          if (!page.last) break;
          from = page.last;
        }
      }
    }
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "agent"."connections" WHERE rcv_relay = $1 AND status <> 'deleted'`, [A]);
    expect(read.size).toBe(n);
    expect([...read.values()].filter((a) => a === 'agent-1').length).toBeGreaterThan(n / 2 - n / 20);
  }, 60_000);

  it('a full pass pages through its buckets in index order: no scan of the table, no sort of what it reads', async () => {
    for (const kind of planKindsOf(BUCKET_QUEUES_SQL)) {
      const plan = await planOf(db, BUCKET_QUEUES_SQL, [A, 100, '', 2000], kind);
      expect({ kind, seq: seqScannedTables(plan), indexes: indexesUsed(plan), sorts: planNodes(plan).filter((n) => n['Node Type'] === 'Sort').length }).toEqual({
        kind,
        seq: [],
        indexes: ['connections_relay_bucket'],
        sorts: 0,
      });
    }
  });

  it('the recent window reaches back to the start of the last completed pass, plus the margin', () => {
    expect(recentWindowS(10_000, 11_000)).toBe(16);
    // A pass that ran 2 min (recent passes skipped meanwhile): the next one covers those 2 min.
    expect(recentWindowS(10_000, 130_500)).toBe(136);
  });
});
