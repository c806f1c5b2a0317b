import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openMigratedDataSource } from '@gc/persistence';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { ChatTx } from './chat-tx';
import { claimCommand, claimRepublish, staleHeads } from './command-store';

// Against the real Postgres: the reconciler's read of stale heads, beside transactions holding rows.
describe('staleHeads', () => {
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase('command-store');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 3));
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  const askSend = async (connId: string) =>
    new ChatTx(db.manager).ask(randomUUID(), { function: 'SEND_MESSAGE', message: 'm' }, { type: 'SEND', connId, msgId: randomUUID(), body: '{}' });

  it('skips a head a transaction holds instead of waiting for it (waiting deadlocked with event batches), and takes it once free', async () => {
    const held = await askSend(randomUUID());
    const free = await askSend(randomUUID());
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM chat.commands WHERE corr_id = $1 FOR UPDATE`, [held]);
      // Returns while the row is held (a wait would last until the transaction ends, past the test's timeout).
      expect((await staleHeads(db, 0)).map((h) => h.corrId)).toEqual([free]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect((await staleHeads(db, 0)).map((h) => h.corrId).sort()).toEqual([free, held].sort());
  });

  it('claims a re-publish of a stale head only while it is pending: a head finished after the list was read is left alone', async () => {
    const finished = await askSend(randomUUID());
    const pending = await askSend(randomUUID());
    const heads = await staleHeads(db, 0);
    const rowsOf = async () => {
      const rows: { corr_id: string; status: string; attempts: number }[] = await db.query(`SELECT corr_id, status, attempts FROM chat.commands WHERE corr_id = ANY($1)`, [[finished, pending]]);
      return new Map(rows.map((r) => [r.corr_id, r]));
    };
    const before = await rowsOf();
    // The chat handles the first one's result while the reconciler works through its list.
    await db.transaction((tx) => claimCommand(tx, finished, 'completed', null));
    const byCorr = new Map(heads.map((h) => [h.corrId, h.id]));
    expect(await claimRepublish(db, byCorr.get(finished)!)).toBe(false);
    expect(await claimRepublish(db, byCorr.get(pending)!)).toBe(true);
    const after = await rowsOf();
    expect(after.get(finished)).toMatchObject({ status: 'completed', attempts: before.get(finished)!.attempts });
    expect(after.get(pending)).toMatchObject({ status: 'pending', attempts: before.get(pending)!.attempts + 1 });
  });
});
