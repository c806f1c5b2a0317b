import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openMigratedDataSource } from '@gc/persistence';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { ChatTx } from './chat-tx';
import { Command } from './command.entity';

// Against the real Postgres: the outbox's one write API.
describe('ChatTx.askAll', () => {
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-tx');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 3));
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('writes 12,000 asks in one statement (more rows than 65,535 bind parameters would allow at 6 a row), in their order', async () => {
    const userId = randomUUID();
    const connId = randomUUID();
    const asks = Array.from({ length: 12_000 }, (_, i) => ({
      continuation: { function: 'SEND_MESSAGE' as const, message: `m${i}` },
      request: { type: 'SEND' as const, connId, msgId: `msg-${i}`, body: `{"n":${i}}` },
    }));
    const tx = new ChatTx(db.manager);
    const corrIds = await tx.askAll(userId, asks);
    const rows = await db.getRepository(Command).find({ where: { userId }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.corrId)).toEqual(corrIds);
    expect(rows[11_999].command).toMatchObject({ type: 'SEND', msgId: 'msg-11999', body: '{"n":11999}', userId, corrId: corrIds[11_999] });
    // The connection already had no head known to this transaction: it is read back after commit.
    expect([...tx.touchedConnections]).toEqual([connId]);
  });
});
