import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { Connection } from '../connections/connection.entity';
import { contactStatus, createContactInvitation, joinContact } from '../contacts/contact-flow';
import { openMigratedDataSource } from '@gc/persistence';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { receiveMessage } from '../inbox/message-receipt';
import { insertInvitedGroup } from '../members/group-store';
import { User } from '../users/user.entity';
import { ChatTx } from '../outbox/chat-tx';
import { Command } from '../outbox/command.entity';
import { UnexpectedEvent } from './command-resumer';
import { resumeCommand } from './continuation-handlers';
import { sendRequest } from '../protocol/protocol-sender';

// Against the real Postgres: the exactly-once rules live in row locks and unique keys.
describe('resumeCommand', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  const run = <T>(work: (tx: ChatTx) => Promise<T>) => db.transaction((em) => work(new ChatTx(em)));

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-resumer');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 5));
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  /** The statements a transaction sends while `work` runs. */
  async function statementsOf<T>(tx: ChatTx, work: () => Promise<T>): Promise<{ result: T; statements: number }> {
    let statements = 0;
    const query = tx.em.query.bind(tx.em);
    tx.em.query = ((sql: string, params?: unknown[]) => (statements++, query(sql, params))) as typeof tx.em.query;
    try {
      return { result: await work(), statements };
    } finally {
      tx.em.query = query;
    }
  }

  async function invitation(): Promise<{ userId: string; command: Command }> {
    const userId = randomUUID();
    await db.getRepository(User).insert({ id: userId, displayName: 'Ann' });
    await run((tx) => createContactInvitation(tx, userId));
    const command = await db.getRepository(Command).findOneByOrFail({ userId });
    return { userId, command };
  }

  it('runs the continuation once; the same event again is a duplicate', async () => {
    const { userId, command } = await invitation();
    const inv = { type: 'INV' as const, eventId: 'evt-inv-0001', userId, corrId: command.corrId, connId: command.connId, invitation: 'link-1' };
    expect(await run((tx) => resumeCommand(tx, command.corrId, inv))).toBe('resumed');
    expect(await run((tx) => resumeCommand(tx, command.corrId, { ...inv, eventId: 'evt-inv-0002', invitation: 'link-2' }))).toBe('duplicate');
    const conn = await db.getRepository(Connection).findOneByOrFail({ id: command.connId });
    expect(conn.invitation).toBe('link-1');
    expect(contactStatus(conn)).toBe('invited');
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).status).toBe('completed');
  });

  it('counts committed executions: 1 after a resume and its duplicate, 0 after a refused event', async () => {
    const { userId, command } = await invitation();
    const joined = { type: 'JOINED' as const, eventId: 'evt-joined-02', userId, corrId: command.corrId, connId: command.connId };
    await expect(run((tx) => resumeCommand(tx, command.corrId, joined))).rejects.toBeInstanceOf(UnexpectedEvent);
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).executions).toBe(0);
    const inv = { type: 'INV' as const, eventId: 'evt-inv-0003', userId, corrId: command.corrId, connId: command.connId, invitation: 'link-3' };
    await run((tx) => resumeCommand(tx, command.corrId, inv));
    await run((tx) => resumeCommand(tx, command.corrId, { ...inv, eventId: 'evt-inv-0004' }));
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).executions).toBe(1);
  });

  it('refuses an event its function does not expect, changing nothing', async () => {
    const { userId, command } = await invitation();
    const joined = { type: 'JOINED' as const, eventId: 'evt-joined-01', userId, corrId: command.corrId, connId: command.connId };
    await expect(run((tx) => resumeCommand(tx, command.corrId, joined))).rejects.toBeInstanceOf(UnexpectedEvent);
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).status).toBe('pending');
  });

  it('a permanent ERR fails the command with its reason, and the contact', async () => {
    const { userId, command } = await invitation();
    const err = {
      type: 'ERR' as const,
      eventId: 'evt-err-00001',
      userId,
      corrId: command.corrId,
      connId: command.connId,
      error: { code: 'RELAY_REFUSED' as const, message: 'queue gone', permanent: true as const },
    };
    expect(await run((tx) => resumeCommand(tx, command.corrId, err))).toBe('failed');
    const failed = await db.getRepository(Command).findOneByOrFail({ id: command.id });
    expect(failed).toMatchObject({ status: 'failed', lastError: 'RELAY_REFUSED: queue gone' });
    expect(contactStatus(await db.getRepository(Connection).findOneByOrFail({ id: command.connId }))).toBe('failed');
  });

  it('an invitation of a user that does not exist writes nothing (its one statement checks the user)', async () => {
    const userId = randomUUID();
    expect(await run((tx) => createContactInvitation(tx, userId))).toBeNull();
    expect(await db.getRepository(Command).countBy({ userId })).toBe(0);
    expect(await db.getRepository(Connection).countBy({ userId })).toBe(0);
  });

  it('a MSG received twice is handled once and records one ACK, published once', async () => {
    const { userId, command } = await invitation();
    const first = new ChatTx(db.manager);
    expect(await run((tx) => receiveMessage(tx, userId, command.connId, 'agent-msg-1'))).toBe(true);
    expect(await receiveMessage(first, userId, command.connId, 'agent-msg-1')).toBe(false);
    expect(first.unorderedCommands).toHaveLength(0);
    const acks = await db.getRepository(Command).findBy({ userId, function: 'ACK_MESSAGE' });
    expect(acks).toHaveLength(1);
    expect(acks[0].command).toMatchObject({ type: 'ACK', connId: command.connId, agentMsgId: 'agent-msg-1', userId });
  });

  it('an insert that decides "first time?" (a group from x.grp.inv) tells a new row from an existing one', async () => {
    const userId = randomUUID();
    await db.getRepository(User).insert({ id: userId, displayName: 'Ann' });
    const group = { userId, id: randomUUID(), name: 'g', hostMemberId: randomUUID(), selfMemberId: randomUUID(), invitation: 'inv', invitedViaConnId: null };
    expect(await insertInvitedGroup(new ChatTx(db.manager), group)).toBe(true);
    expect(await insertInvitedGroup(new ChatTx(db.manager), { ...group, name: 'again' })).toBe(false);
  });

  it('SENT completes its pending SEND in one claim, once; it frees the head of the connection', async () => {
    const { userId, command } = await invitation();
    const { continuation, request } = sendRequest(command.connId, { type: 'x.ok' });
    const corrId = await run((tx) => tx.ask(userId, continuation, request));
    const sent = { type: 'SENT' as const, eventId: 'evt-sent-0001', userId, corrId, connId: command.connId, msgId: (request as { msgId: string }).msgId };
    const first = new ChatTx(db.manager);
    expect(await statementsOf(first, () => resumeCommand(first, corrId, sent))).toEqual({ result: 'resumed', statements: 1 });
    expect([...first.touchedConnections]).toEqual([command.connId]);
    expect(await run((tx) => resumeCommand(tx, corrId, { ...sent, eventId: 'evt-sent-0003' }))).toBe('duplicate');
    expect(await db.getRepository(Command).findOneByOrFail({ corrId })).toMatchObject({ status: 'completed', executions: 1 });
  });

  it('a one-statement event completes nothing of another function or another user: refused, rolled back', async () => {
    const { userId, command } = await invitation();
    const sent = { type: 'SENT' as const, eventId: 'evt-sent-0004', userId, corrId: command.corrId, connId: command.connId, msgId: randomUUID() };
    await expect(run((tx) => resumeCommand(tx, command.corrId, sent))).rejects.toBeInstanceOf(UnexpectedEvent);
    const { continuation, request } = sendRequest(command.connId, { type: 'x.ok' });
    const corrId = await run((tx) => tx.ask(userId, continuation, request));
    await expect(run((tx) => resumeCommand(tx, corrId, { ...sent, corrId, userId: randomUUID() }))).rejects.toBeInstanceOf(UnexpectedEvent);
    expect((await db.getRepository(Command).findOneByOrFail({ corrId })).status).toBe('pending');
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).status).toBe('pending');
  });

  async function joining(): Promise<{ userId: string; command: Command }> {
    const userId = randomUUID();
    await db.getRepository(User).insert({ id: userId, displayName: 'Bob' });
    await run((tx) => joinContact(tx, userId, 'simplex:/invitation#link'));
    const command = await db.getRepository(Command).findOneByOrFail({ userId, function: 'JOIN_CONTACT' });
    return { userId, command };
  }

  it('JOINED completes its JOIN and moves the stage in one statement, once; it frees the head of the connection', async () => {
    const { userId, command } = await joining();
    const joined = { type: 'JOINED' as const, eventId: 'evt-joined-11', userId, corrId: command.corrId, connId: command.connId };
    const tx = new ChatTx(db.manager);
    expect(await statementsOf(tx, () => resumeCommand(tx, command.corrId, joined))).toEqual({ result: 'resumed', statements: 1 });
    expect([...tx.touchedConnections]).toEqual([command.connId]);
    expect((await db.getRepository(Connection).findOneByOrFail({ id: command.connId })).stage).toBe('joined');
    expect(await db.getRepository(Command).findOneByOrFail({ id: command.id })).toMatchObject({ status: 'completed', executions: 1 });
    expect(await run((tx2) => resumeCommand(tx2, command.corrId, { ...joined, eventId: 'evt-joined-13' }))).toBe('duplicate');
  });

  it('a contact\'s INV records the link and the stage in one statement with the claim; a late one keeps the stage and the first link', async () => {
    const { userId, command } = await invitation();
    const inv = { type: 'INV' as const, eventId: 'evt-inv-0101', userId, corrId: command.corrId, connId: command.connId, invitation: 'link-101' };
    const tx = new ChatTx(db.manager);
    expect(await statementsOf(tx, () => resumeCommand(tx, command.corrId, inv))).toEqual({ result: 'resumed', statements: 1 });
    expect(await db.getRepository(Connection).findOneByOrFail({ id: command.connId })).toMatchObject({ stage: 'invited', invitation: 'link-101' });

    // Seen after a later stage (reordered, or recovered by STATUS): the link is kept, the stage is not moved back.
    const late = await invitation();
    await db.getRepository(Connection).update({ id: late.command.connId }, { stage: 'confirmed' });
    const lateInv = { ...inv, eventId: 'evt-inv-0102', userId: late.userId, corrId: late.command.corrId, connId: late.command.connId, invitation: 'link-102' };
    expect(await run((t) => resumeCommand(t, late.command.corrId, lateInv))).toBe('resumed');
    expect(await db.getRepository(Connection).findOneByOrFail({ id: late.command.connId })).toMatchObject({ stage: 'confirmed', invitation: 'link-102' });

    // The link known already (a STATUS told it first) is the one kept.
    const known = await invitation();
    await db.getRepository(Connection).update({ id: known.command.connId }, { invitation: 'link-first' });
    const knownInv = { ...inv, eventId: 'evt-inv-0103', userId: known.userId, corrId: known.command.corrId, connId: known.command.connId, invitation: 'link-103' };
    expect(await run((t) => resumeCommand(t, known.command.corrId, knownInv))).toBe('resumed');
    expect(await db.getRepository(Connection).findOneByOrFail({ id: known.command.connId })).toMatchObject({ stage: 'invited', invitation: 'link-first' });
  });

  it('a JOINED late for its connection (already further on, or failed) completes the command and leaves the stage', async () => {
    for (const stage of ['allowed', 'connected', 'failed'] as const) {
      const { userId, command } = await joining();
      await db.getRepository(Connection).update({ id: command.connId }, { stage });
      const joined = { type: 'JOINED' as const, eventId: `evt-late-${stage}`, userId, corrId: command.corrId, connId: command.connId };
      expect(await run((tx) => resumeCommand(tx, command.corrId, joined))).toBe('resumed');
      expect((await db.getRepository(Connection).findOneByOrFail({ id: command.connId })).stage).toBe(stage);
      expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).status).toBe('completed');
    }
  });

  it('a one-statement completion of another user\'s command is refused and moves no stage', async () => {
    const { command } = await joining();
    const joined = { type: 'JOINED' as const, eventId: 'evt-joined-21', userId: randomUUID(), corrId: command.corrId, connId: command.connId };
    await expect(run((tx) => resumeCommand(tx, command.corrId, joined))).rejects.toBeInstanceOf(UnexpectedEvent);
    expect((await db.getRepository(Connection).findOneByOrFail({ id: command.connId })).stage).toBe('joining');
    expect((await db.getRepository(Command).findOneByOrFail({ id: command.id })).status).toBe('pending');
  });

  it('ACKED completes its ACK without touching the connection (ACKs are outside its order)', async () => {
    const { userId, command } = await invitation();
    await run((tx) => receiveMessage(tx, userId, command.connId, 'agent-msg-2'));
    const [ack] = await db.getRepository(Command).findBy({ userId, function: 'ACK_MESSAGE' });
    const tx = new ChatTx(db.manager);
    expect(await resumeCommand(tx, ack.corrId, { type: 'ACKED', eventId: 'evt-acked-001', userId, corrId: ack.corrId, connId: command.connId })).toBe('resumed');
    expect(tx.touchedConnections.size).toBe(0);
  });

  it('askAll writes its rows in one statement, in order, skipping a corrId already there', async () => {
    const { userId, command } = await invitation();
    const a = sendRequest(command.connId, { type: 'x.ok' });
    const b = sendRequest(command.connId, { type: 'x.ok' });
    const tx = new ChatTx(db.manager);
    const [corrA, corrB, corrExisting] = await tx.askAll(userId, [a, b, { ...a, corrId: command.corrId }]);
    expect(corrExisting).toBe(command.corrId);
    const rows = await db.getRepository(Command).find({ where: { userId, function: 'SEND_MESSAGE' }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.corrId)).toEqual([corrA, corrB]);
    expect(tx.touchedConnections).toEqual(new Set([command.connId]));
  });
});
