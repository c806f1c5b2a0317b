import 'reflect-metadata';
import { openMigratedDataSource } from '@gc/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { indexesUsed, PLAN_KINDS, planKindsOf, planOf, seqScannedTables } from '../../../../test/support/query-plan';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { CHAT_SCHEMA } from '../config/chat-schema';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { Group } from '../members/group.entity';
import { readProgressInput } from './progress-reader';

// The host's /progress reads its group's connections and copies of every user on this chat service,
// by the group's id. On a store of 60,000 connections in 20,000 groups, every statement the reader
// runs (recorded as it runs them) has a plan without a sequential scan.
describe('group progress reads on a large store (real Postgres)', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  const u = (n: number | string) => `md5('u' || ${n})::uuid`;

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-progress-plan');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 2));
    await db.query(`INSERT INTO ${CHAT_SCHEMA}.users (id, display_name) SELECT ${u('i')}, 'U' FROM generate_series(1, 2000) i`);
    // Group g(i) has copies at users u(i % 2000 + 1) and u((i + 1) % 2000 + 1): 40,000 copies.
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.groups (user_id, id, name, host_member_id, self_member_id)
       SELECT ${u('(i + k) % 2000 + 1')}, md5('g' || i)::uuid, 'g', md5('h' || i)::uuid, md5('s' || i || k)::uuid
         FROM generate_series(1, 20000) i, generate_series(0, 1) k`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.members (user_id, group_id, id, display_name, is_self, is_host, status, conn_id)
       SELECT ${u('(i + k) % 2000 + 1')}, md5('g' || i)::uuid, md5('m' || i || k)::uuid, 'M', false, false, 'connected', 'c' || i || '-' || k
         FROM generate_series(1, 20000) i, generate_series(0, 1) k`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.connections (id, user_id, role, purpose, stage, group_id, member_id)
       SELECT 'c' || i || '-' || k, ${u('(i + k) % 2000 + 1')}, 'inviter', 'group', 'connected', md5('g' || i)::uuid, md5('m' || i || k)::uuid
         FROM generate_series(1, 20000) i, generate_series(0, 2) k`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.introductions (user_id, group_id, new_member_id, existing_member_id, status)
       SELECT ${u('i % 2000 + 1')}, md5('g' || i)::uuid, md5('m' || i || 0)::uuid, md5('m' || i || 1)::uuid, 'connected' FROM generate_series(1, 20000) i`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.group_messages (user_id, id, group_id, from_member_id, text, at)
       SELECT ${u('i % 2000 + 1')}, md5('msg' || i)::uuid, md5('g' || i)::uuid, md5('m' || i || 0)::uuid, 'hi', now() FROM generate_series(1, 20000) i`,
    );
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.commands (corr_id, user_id, conn_id, function, continuation, command, status)
       SELECT 'k' || i, ${u('i % 2000 + 1')}, 'c' || (i % 20000 + 1) || '-0', 'SEND_MESSAGE', '{}', '{}', CASE WHEN i % 500 = 0 THEN 'pending' ELSE 'completed' END
         FROM generate_series(1, 60000) i`,
    );
    await db.query(`VACUUM ANALYZE`);
  }, 180_000);
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it("a host's progress reads by index only, its reads by group id across users included", async () => {
    // The host of g(7): its copy at u(8) (k = 0) names itself as host and was not made from an invitation.
    const [row] = await db.query(`SELECT user_id, self_member_id FROM ${CHAT_SCHEMA}.groups WHERE id = md5('g' || 7)::uuid AND user_id = ${u(8)}`);
    await db.query(`UPDATE ${CHAT_SCHEMA}.groups SET host_member_id = self_member_id WHERE id = md5('g' || 7)::uuid AND user_id = $1`, [row.user_id]);
    const group = Object.assign(new Group(), { userId: row.user_id, id: (await db.query(`SELECT md5('g' || 7)::uuid AS id`))[0].id, selfMemberId: row.self_member_id, hostMemberId: row.self_member_id, invitedViaConnId: null });
    const statements: Array<[string, unknown[]]> = [];
    const recording = { query: (sql: string, params: unknown[] = []) => (statements.push([sql, params]), db.query(sql, params)) } as unknown as EntityManager;
    const input = await readProgressInput(recording, group);
    expect(input.members).toHaveLength(1); // the copy's only other member row
    // Without their indexes these two scan a whole table or a whole primary-key index.
    for (const kind of PLAN_KINDS) {
      const planned = statements.filter(([text]) => planKindsOf(text).includes(kind));
      const byGroupId: string[][] = [];
      for (const [sql, params] of planned.filter(([text]) => /connections WHERE group_id|groups WHERE id/.test(text))) {
        byGroupId.push(indexesUsed(await planOf(db, sql, params, kind)));
      }
      expect({ kind, indexes: byGroupId.sort() }).toEqual({ kind, indexes: [['connections_group'], ['groups_id']] });
      for (const [sql, params] of planned) {
        expect({ kind, sql, seq: seqScannedTables(await planOf(db, sql, params, kind)) }).toEqual({ kind, sql, seq: [] });
      }
    }
  });
});
