import 'reflect-metadata';
import { openMigratedDataSource } from '@gc/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { CommandJournal } from '../commands/command-journal';
import { agentDataSourceOptions } from './agent-data-source';
import { ConnectionStore } from './connection-store';

// The single statements that replaced lock + read + save must keep what the lock gave: a repeat
// finds what the first run stored, and of two concurrent writers exactly one wins.
describe('agent single-statement persistence (real Postgres)', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  let journal: CommandJournal;
  let store: ConnectionStore;

  beforeAll(async () => {
    testDb = await createTestDatabase('agent-store');
    db = await openMigratedDataSource(agentDataSourceOptions(testDb.url, { max: 6 }));
    journal = new CommandJournal(db);
    store = new ConnectionStore(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  const ids = () => ({ userId: 'u1', connId: randomUUID(), corrId: randomUUID() });

  it('journal begin is idempotent by corrId, also when two runs begin at once, and returns the stored result', async () => {
    const cmd = { type: 'CREATE' as const, ...ids() };
    const [a, b] = await Promise.all([journal.begin(cmd), journal.begin(cmd)]);
    expect([a.status, b.status]).toEqual(['running', 'running']);
    await journal.recordAttempt(cmd.corrId, 'relay down', 'create-queue');
    const events = [{ type: 'INV' as const, eventId: `r-${cmd.corrId}`, corrId: cmd.corrId, userId: cmd.userId, connId: cmd.connId, invitation: 'x' }];
    await journal.complete(cmd.corrId, events);
    const again = await journal.begin(cmd);
    expect(again).toMatchObject({ status: 'completed', step: 'done', attempts: 1, lastError: 'relay down', result: events });
    expect(await db.query(`SELECT count(*)::int AS n FROM agent.commands WHERE corr_id = $1`, [cmd.corrId])).toEqual([{ n: 1 }]);
  });

  it('insertOrFind inserts once; a repeat gets the stored row with its keys', async () => {
    const { userId, connId, corrId } = ids();
    const first = await store.insertOrFind({ userId, connId, role: 'joiner', createdBy: corrId, ownPublicKey: 'K1', ownPrivateKey: 'k1' });
    const again = await store.insertOrFind({ userId, connId, role: 'joiner', createdBy: corrId, ownPublicKey: 'K2', ownPrivateKey: 'k2' });
    expect(first).toMatchObject({ status: 'pending', ownPublicKey: 'K1' });
    expect(again).toMatchObject({ status: 'pending', createdBy: corrId, ownPublicKey: 'K1', ownPrivateKey: 'k1' });
  });

  it('the first stored receive queue wins over a concurrent run, and the invitation is set once', async () => {
    const { userId, connId, corrId } = ids();
    await store.insertOrFind({ userId, connId, role: 'inviter', createdBy: corrId });
    const [a, b] = await Promise.all([
      store.storeReceiveQueue(userId, connId, { relay: 'http://r1', recipientId: 'ra', senderId: 'sa' }),
      store.storeReceiveQueue(userId, connId, { relay: 'http://r2', recipientId: 'rb', senderId: 'sb' }),
    ]);
    expect(a!.rcvRecipientId).toBe(b!.rcvRecipientId);
    expect(await store.storeInvitation(userId, connId, 'inv-1')).toBe('inv-1');
    expect(await store.storeInvitation(userId, connId, 'inv-2')).toBe('inv-1');
    expect(await store.find(userId, connId)).toMatchObject({ status: 'invited', invitation: 'inv-1' });
    expect(await store.storeInvitation(userId, randomUUID(), 'inv')).toBeNull();
    expect(await store.storeReceiveQueue(userId, randomUUID(), { relay: 'r', recipientId: 'x', senderId: 'y' })).toBeNull();
  });

  it('an inviter stores its queue and invitation in one statement, once; a later queue or invitation changes neither', async () => {
    const { userId, connId, corrId } = ids();
    await store.insertOrFind({ userId, connId, role: 'inviter', createdBy: corrId });
    // Receive queues are unique per relay across connections: fresh ids for this test.
    const [ra, rb] = [randomUUID(), randomUUID()];
    const [a, b] = await Promise.all([
      store.storeReceiveQueue(userId, connId, { relay: 'http://r1', recipientId: ra, senderId: 'sa' }, 'inv-a'),
      store.storeReceiveQueue(userId, connId, { relay: 'http://r2', recipientId: rb, senderId: 'sb' }, 'inv-b'),
    ]);
    // The winner's queue and its own invitation, seen by both runs.
    const expected = a!.rcvRecipientId === ra ? 'inv-a' : 'inv-b';
    expect([a!.invitation, b!.invitation]).toEqual([expected, expected]);
    expect(b!.rcvRecipientId).toBe(a!.rcvRecipientId);
    expect(await store.storeInvitation(userId, connId, 'inv-late')).toBe(expected);
    expect(await store.find(userId, connId)).toMatchObject({ status: 'invited', invitation: expected });
    // Without an invitation (a joiner's queue) the status stays as it was.
    const other = ids();
    await store.insertOrFind({ userId, connId: other.connId, role: 'joiner', createdBy: other.corrId });
    await store.storeReceiveQueue(userId, other.connId, { relay: 'r', recipientId: randomUUID(), senderId: 'y' });
    expect(await store.find(userId, other.connId)).toMatchObject({ status: 'pending', invitation: null });
  });

  it('a confirmation is claimed by exactly one ALLOW; advance never moves a status back', async () => {
    const { userId, connId, corrId } = ids();
    await store.insertOrFind({ userId, connId, role: 'inviter', createdBy: corrId });
    await db.query(`UPDATE agent.connections SET status = 'confirmed', confirmation_id = 'c1' WHERE user_id = $1 AND conn_id = $2`, [userId, connId]);
    const claim = (allowedBy: string) => store.claimConfirmation(userId, connId, { confirmationId: 'c1', allowedBy, ownPublicKey: allowedBy, ownPrivateKey: allowedBy });
    const results = await Promise.all([claim('allow-a'), claim('allow-b'), claim('allow-c')]);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(await store.find(userId, connId)).toMatchObject({ allowedBy: winners[0]!.allowedBy, ownPublicKey: winners[0]!.allowedBy });
    expect(await store.claimConfirmation(userId, connId, { confirmationId: 'other', allowedBy: 'x', ownPublicKey: 'x', ownPrivateKey: 'x' })).toBeNull();

    await db.query(`UPDATE agent.connections SET status = 'connected' WHERE user_id = $1 AND conn_id = $2`, [userId, connId]);
    await store.advance(userId, connId, 'confirmed', 'allowed');
    expect((await store.find(userId, connId))!.status).toBe('connected');
  });

  it('ackMessage tells a missing connection apart and marks only its own un-ACKed msg', async () => {
    const { userId, connId, corrId } = ids();
    expect(await store.ackMessage(userId, connId, 'm1')).toBe(false);
    await store.insertOrFind({ userId, connId, role: 'inviter', createdBy: corrId });
    await db.query(
      `INSERT INTO agent.inbox (relay, recipient_id, msg_id, user_id, conn_id, kind, status) VALUES ('r', 'q', 'm1', $1, $2, 'msg', 'complete'), ('r', 'q', 'm2', $1, $2, 'msg', 'complete')`,
      [userId, connId],
    );
    expect(await store.ackMessage(userId, connId, 'm1')).toBe(true);
    const rows = await db.query(`SELECT msg_id, acked_at IS NOT NULL AS acked FROM agent.inbox WHERE conn_id = $1 ORDER BY msg_id`, [connId]);
    expect(rows).toEqual([{ msg_id: 'm1', acked: true }, { msg_id: 'm2', acked: false }]);
  });
});
