import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { openMigratedDataSource } from '@gc/persistence';
import { ChatTx } from '../outbox/chat-tx';
import { sendRequest } from '../protocol/protocol-sender';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { allWaitingConnections, claimDueStatusChecks, MAX_DELAY_MS, PEER_MAY_NEVER_COME_FIRST_DELAY_MS, PEER_MAY_NEVER_COME_MAX_DELAY_MS } from './status-check-schedule';
import { CHAT_SCHEMA } from '../config/chat-schema';

// Against the real Postgres: the schedule is one SQL statement. Time passes by moving a connection's
// timestamps into the past, not by sleeping.
describe('claimDueStatusChecks', () => {
  const S = 15_000;
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-status-checks');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 5));
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  /** A user of its own per test, so tests do not see each other's connections. */
  async function connection(spec: { purpose: string; role: string; stage: string }, ageMs: number): Promise<{ userId: string; connId: string }> {
    const userId = randomUUID();
    const connId = randomUUID();
    await db.query(`INSERT INTO ${CHAT_SCHEMA}.users (id, display_name) VALUES ($1, 'Ann')`, [userId]);
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.connections (id, user_id, role, purpose, stage, updated_at) VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 millisecond')`,
      [connId, userId, spec.role, spec.purpose, spec.stage, ageMs],
    );
    return { userId, connId };
  }
  /** `ms` pass for this connection: its stage change and its last check move into the past. */
  const pass = (connId: string, ms: number) =>
    db.query(
      `UPDATE ${CHAT_SCHEMA}.connections SET updated_at = updated_at - $2 * interval '1 millisecond', status_checked_at = status_checked_at - $2 * interval '1 millisecond' WHERE id = $1`,
      [connId, ms],
    );
  const claimed = async (connId: string, limit = 1_000) => (await claimDueStatusChecks(db, S, limit)).some((r) => r.id === connId);
  /** The gaps between checks of one connection, tried every `stepMs` of `spanMs`, in whole minutes (the real clock moves too). */
  async function gapsInMinutes(connId: string, spanMs: number, stepMs: number): Promise<number[]> {
    const at: number[] = [];
    for (let t = 0; t < spanMs; t += stepMs) {
      if (await claimed(connId)) at.push(t);
      await pass(connId, stepMs);
    }
    return at.slice(1).map((t, i) => Math.round((t - at[i]) / 60_000));
  }
  const invitedContact = { purpose: 'contact', role: 'inviter', stage: 'invited' };
  const hostWaitingForMember = { purpose: 'host-member', role: 'inviter', stage: 'invited' };

  it('is due once the stage is S old, then after 2S, 4S, …', async () => {
    const { connId } = await connection(hostWaitingForMember, S - 1_000);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 1_000);
    expect(await claimed(connId)).toBe(true);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 2 * S - 1_000);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 1_000);
    expect(await claimed(connId)).toBe(true);
    await pass(connId, 4 * S);
    expect(await claimed(connId)).toBe(true);
  });

  it('caps a group-protocol wait at 5 min and an unused contact invitation at 1 h', async () => {
    expect([MAX_DELAY_MS, PEER_MAY_NEVER_COME_MAX_DELAY_MS]).toEqual([5 * 60_000, 60 * 60_000]);
    const hostMember = await connection(hostWaitingForMember, S);
    await db.query(`UPDATE ${CHAT_SCHEMA}.connections SET status_checked_at = now(), status_check_delay_ms = $2 WHERE id = $1`, [hostMember.connId, MAX_DELAY_MS]);
    expect(await gapsInMinutes(hostMember.connId, 16 * 60_000, 5_000)).toEqual([5, 5]);
    const contact = await connection(invitedContact, S);
    await db.query(`UPDATE ${CHAT_SCHEMA}.connections SET status_checked_at = now(), status_check_delay_ms = $2 WHERE id = $1`, [contact.connId, MAX_DELAY_MS * 8]);
    // Checked at 40 min, then 80 min later were it not capped at 1 h.
    expect(await gapsInMinutes(contact.connId, 3 * 60 * 60_000 + 60_000, 30_000)).toEqual([60, 60]);
  }, 120_000);

  it('checks an unused contact invitation first after 5 min, then 10 min later', async () => {
    expect(PEER_MAY_NEVER_COME_FIRST_DELAY_MS).toBe(5 * 60_000);
    const { connId } = await connection(invitedContact, S);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 5 * 60_000 - S - 1_000);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 1_000);
    expect(await claimed(connId)).toBe(true);
    await pass(connId, 10 * 60_000 - 1_000);
    expect(await claimed(connId)).toBe(false);
    await pass(connId, 1_000);
    expect(await claimed(connId)).toBe(true);
  });

  it('starts again from the first delay when the stage changes', async () => {
    const { connId } = await connection(hostWaitingForMember, S);
    expect(await claimed(connId)).toBe(true);
    await pass(connId, S);
    await db.query(`UPDATE ${CHAT_SCHEMA}.connections SET stage = 'confirmed', updated_at = now() WHERE id = $1`, [connId]); // the member's CONF
    expect(await claimed(connId)).toBe(false);
    await pass(connId, S);
    expect(await claimed(connId)).toBe(true);
  });

  it('leaves out final connections and those with a pending command; includes a joiner without the peer info', async () => {
    const connected = await connection({ purpose: 'contact', role: 'inviter', stage: 'connected' }, S);
    const failed = await connection({ purpose: 'contact', role: 'inviter', stage: 'failed' }, S);
    const busy = await connection(hostWaitingForMember, S);
    const { continuation, request } = sendRequest(busy.connId, { type: 'x.ok' });
    await new ChatTx(db.manager).ask(busy.userId, continuation, request);
    const joiner = await connection({ purpose: 'contact', role: 'joiner', stage: 'connected' }, S);
    const due = (await claimDueStatusChecks(db, S, 1_000)).map((r) => r.id);
    expect(due).toContain(joiner.connId);
    for (const c of [connected, failed, busy]) expect(due).not.toContain(c.connId);
    const all = (await allWaitingConnections(db)).flatMap((r) => r.conn_ids);
    expect(all).toEqual(expect.arrayContaining([joiner.connId, busy.connId]));
    for (const c of [connected, failed]) expect(all).not.toContain(c.connId);
  });

  it("watches a user's connected connections while one of its members is unfinished — not for ever", async () => {
    const { userId, connId } = await connection({ purpose: 'contact', role: 'inviter', stage: 'connected' }, S);
    const [groupId, self, late] = [randomUUID(), randomUUID(), randomUUID()];
    await db.query(`INSERT INTO ${CHAT_SCHEMA}.groups (user_id, id, name, host_member_id, self_member_id) VALUES ($1, $2, 'g', $3, $3)`, [userId, groupId, self]);
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.members (user_id, group_id, id, display_name, status, is_self, is_host, updated_at)
       VALUES ($1, $2, $3, 'Late', 'invited', false, false, now() - $4 * interval '1 millisecond')`,
      [userId, groupId, late, S],
    );
    const watched = async (watchedMs: number) => (await allWaitingConnections(db, watchedMs)).flatMap((r) => r.conn_ids).includes(connId);
    expect(await watched(60 * 60_000)).toBe(true);
    // Unfinished for S already: past a watch of S/2 the user's connections are left alone.
    expect(await watched(S / 2)).toBe(false);
    expect((await claimDueStatusChecks(db, S, 1_000, S / 2)).map((r) => r.id)).not.toContain(connId);
  });

  it('gives at most `limit`, longest due first; the rest are due the next call', async () => {
    const a = await connection(hostWaitingForMember, S + 3_000);
    const b = await connection(hostWaitingForMember, S + 2_000);
    const c = await connection(hostWaitingForMember, S + 1_000);
    const first = (await claimDueStatusChecks(db, S, 2)).map((r) => r.id);
    expect(first.sort()).toEqual([a.connId, b.connId].sort());
    expect(await claimed(c.connId)).toBe(true);
  });

  it('never hands one due connection to two chats at once', async () => {
    const { connId } = await connection(hostWaitingForMember, S);
    const chatA = db.createQueryRunner();
    await chatA.startTransaction();
    try {
      expect((await claimDueStatusChecks(chatA.manager, S, 1_000)).map((r) => r.id)).toContain(connId);
      expect(await claimed(connId)).toBe(false); // chat B, while A's claim is not committed
    } finally {
      await chatA.commitTransaction();
      await chatA.release();
    }
    expect(await claimed(connId)).toBe(false); // and after: A's check moved the schedule on
  });
});
