import 'reflect-metadata';
import { openMigratedDataSource } from '@gc/persistence';
import { DataSource } from 'typeorm';
import { indexesUsed, planOf, seqScannedTables } from '../../../../test/support/query-plan';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-isolation';
import { CHAT_SCHEMA } from '../config/chat-schema';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { COUNT_OPEN_COMMANDS_SQL, countCommands } from '../outbox/command-store';
import { ChatMetrics } from './chat-metrics';
import { completedByFunction } from './sampled-gauges';

// docs/scaling.md limit 3: a scrape must not read the whole outbox. 60,000 completed commands and a
// few unfinished ones: the gauge's statement reads only the unfinished, through their partial index.
describe('gc_chat_commands sources', () => {
  let testDb: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    testDb = await createTestDatabase('chat-command-counts');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 2));
    await db.query(
      `INSERT INTO ${CHAT_SCHEMA}.commands (corr_id, user_id, conn_id, function, continuation, command, status)
       SELECT 'k' || i, md5('u' || (i % 500))::uuid, 'c' || i, CASE WHEN i % 3 = 0 THEN 'SEND' ELSE 'ACK' END, '{}', '{}',
              CASE WHEN i % 2000 = 0 THEN 'pending' WHEN i % 7001 = 0 THEN 'failed' ELSE 'completed' END
         FROM generate_series(1, 60000) i`,
    );
    await db.query(`VACUUM ANALYZE ${CHAT_SCHEMA}.commands`);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('counts pending and failed by function, and nothing completed', async () => {
    // The same rows, counted from the series that made them.
    const expected: Array<{ key: string; n: number }> = await db.query(
      `SELECT (CASE WHEN i % 3 = 0 THEN 'SEND' ELSE 'ACK' END) || ' ' || (CASE WHEN i % 2000 = 0 THEN 'pending' ELSE 'failed' END) AS key, count(*)::int AS n
         FROM generate_series(1, 60000) i WHERE i % 2000 = 0 OR i % 7001 = 0 GROUP BY 1`,
    );
    const counts = Object.fromEntries((await countCommands(db)).map((r) => [`${r.function} ${r.status}`, r.count]));
    expect(counts).toEqual(Object.fromEntries(expected.map((r) => [r.key, r.n])));
    expect(Object.keys(counts).sort()).toEqual(['ACK failed', 'ACK pending', 'SEND failed', 'SEND pending']);
  });

  it('reads the unfinished commands through commands_open_by_function, not the outbox', async () => {
    const plan = await planOf(db, COUNT_OPEN_COMMANDS_SQL, []);
    expect({ seq: seqScannedTables(plan), indexes: indexesUsed(plan) }).toEqual({ seq: [], indexes: ['commands_open_by_function'] });
  });

  it('completed comes from the commands this chat timed to completion, by function', async () => {
    const metrics = new ChatMetrics();
    for (const s of [0.1, 0.2, 3]) metrics.commandRoundTrip.observe({ function: 'JOIN_GROUP', status: 'completed' }, s);
    metrics.commandRoundTrip.observe({ function: 'JOIN_GROUP', status: 'failed' }, 1);
    metrics.commandRoundTrip.observe({ function: 'ALLOW_INTRO', status: 'completed' }, 1);
    expect(Object.fromEntries(await completedByFunction(metrics.commandRoundTrip))).toEqual({ JOIN_GROUP: 3, ALLOW_INTRO: 1 });
  });
});
