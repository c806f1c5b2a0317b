import 'reflect-metadata';
import { openMigratedDataSource } from '@gc/persistence';
import { DataSource } from 'typeorm';
import { indexesUsed, planKindsOf, planOf, seqScannedTables } from '../../../../test/support/query-plan';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { CHAT_SCHEMA } from '../config/chat-schema';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { allWaitingConnections, allWaitingConnectionsSql, claimDueStatusChecks, claimDueStatusChecksSql, MAX_DELAY_MS, PEER_MAY_NEVER_COME_FIRST_DELAY_MS, PEER_MAY_NEVER_COME_MAX_DELAY_MS, UNFINISHED_WATCHED_MS } from './status-check-schedule';

// docs/scaling.md limit 2: the claim runs every tick on the lease holder; it must read what can be
// due, not every stored connection. 60,000 settled connections (connected, checked or not), their
// 60,000 commands, 20,000 finished members and introductions, a handful waiting: the plan Postgres picks for the
// claim's own statement reads no table whole, and the claim still finds exactly the due ones.
describe('status-check claim on a large store (real Postgres)', () => {
  const S = 15_000;
  const SETTLED = 60_000;
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-status-plan');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 2));
    await db.query(`INSERT INTO ${CHAT_SCHEMA}.users (id, display_name) SELECT md5('u' || i)::uuid, 'U' FROM generate_series(1, 2000) i`);
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.connections (id, user_id, role, purpose, stage, peer_info, updated_at, status_checked_at, status_check_delay_ms)
       SELECT 'c' || i, md5('u' || (i % 2000 + 1))::uuid, CASE WHEN i % 2 = 0 THEN 'inviter' ELSE 'joiner' END, 'group', 'connected', 'info',
              now() - interval '2 days' - i * interval '1 second',
              CASE WHEN i % 3 = 0 THEN now() - interval '1 day' END, CASE WHEN i % 3 = 0 THEN 300000 END
         FROM generate_series(1, $1::int) i`,
      [SETTLED],
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.groups (user_id, id, name, host_member_id, self_member_id)
       SELECT md5('u' || i)::uuid, md5('g' || i)::uuid, 'g', md5('h' || i)::uuid, md5('h' || i)::uuid FROM generate_series(1, 2000) i`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.members (user_id, group_id, id, display_name, is_self, is_host, status, updated_at)
       SELECT md5('u' || (i % 2000 + 1))::uuid, md5('g' || (i % 2000 + 1))::uuid, md5('m' || i)::uuid, 'M', false, false,
              CASE WHEN i % 4 = 0 THEN 'left' ELSE 'connected' END, now() - interval '3 days'
         FROM generate_series(1, 20000) i`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.introductions (user_id, group_id, new_member_id, existing_member_id, status, updated_at)
       SELECT md5('u' || (i % 2000 + 1))::uuid, md5('g' || (i % 2000 + 1))::uuid, md5('m' || i)::uuid, md5('x' || i)::uuid,
              CASE WHEN i % 5 = 0 THEN 'failed' ELSE 'connected' END, now() - interval '3 days'
         FROM generate_series(1, 20000) i`,
    );
    // The outbox of those connections: completed but for a few pending heads.
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.commands (corr_id, user_id, conn_id, function, continuation, command, status)
       SELECT 'k' || i, md5('u' || (i % 2000 + 1))::uuid, 'c' || (i % $1::int + 1), 'SEND', '{}', '{}', CASE WHEN i % 1000 = 0 THEN 'pending' ELSE 'completed' END
         FROM generate_series(1, $1::int) i`,
      [SETTLED],
    );
    // Waiting: a handshake due now, one not due yet, a joiner without the peer's info checked and due again.
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.connections (id, user_id, role, purpose, stage, updated_at, status_checked_at, status_check_delay_ms) VALUES
         ('due-handshake', md5('u1')::uuid, 'inviter', 'host-member', 'invited', now() - interval '1 minute', NULL, NULL),
         ('young-handshake', md5('u1')::uuid, 'inviter', 'host-member', 'invited', now(), NULL, NULL),
         ('due-joiner', md5('u2')::uuid, 'joiner', 'contact', 'connected', now() - interval '1 hour', now() - interval '10 minutes', 300000)`,
    );
    await db.query(`ANALYZE`);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  const params = (limit: number) => [S, limit, PEER_MAY_NEVER_COME_MAX_DELAY_MS, MAX_DELAY_MS, PEER_MAY_NEVER_COME_FIRST_DELAY_MS, UNFINISHED_WATCHED_MS];

  it('reads no table whole: the due rows come from the partial indexes of what can be due', async () => {
    for (const kind of planKindsOf(claimDueStatusChecksSql())) {
      const plan = await planOf(db, claimDueStatusChecksSql(), params(1_000), kind);
      expect({ kind, seq: seqScannedTables(plan) }).toEqual({ kind, seq: [] });
      expect(indexesUsed(plan)).toEqual(expect.arrayContaining(['connections_status_check_first', 'connections_status_check_next', 'members_unfinished', 'introductions_unfinished']));
    }
  });

  it('every waiting connection (at start, after a queue loss) is found by the same indexes, none read whole', async () => {
    for (const kind of planKindsOf(allWaitingConnectionsSql())) {
      expect({ kind, seq: seqScannedTables(await planOf(db, allWaitingConnectionsSql(), [UNFINISHED_WATCHED_MS], kind)) }).toEqual({ kind, seq: [] });
    }
    const waiting = (await allWaitingConnections(db)).flatMap((r) => r.conn_ids).sort();
    expect(waiting).toEqual(['due-handshake', 'due-joiner', 'young-handshake']);
  });

  it('claims exactly the due waiting connections among them, then none until they are due again', async () => {
    expect((await claimDueStatusChecks(db, S, 1_000)).map((r) => r.id).sort()).toEqual(['due-handshake', 'due-joiner']);
    expect(await claimDueStatusChecks(db, S, 1_000)).toEqual([]);
  });
});
