import 'reflect-metadata';
import { AGENT_COMMANDS_QUEUE } from '@gc/contracts';
import { openMigratedDataSource } from '@gc/persistence';
import { ShardedQueue } from '@gc/queueing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SHARED_REDIS_URL, TestDatabase, createTestDatabase, dropQueueKeys, testQueuePrefix } from '../../../../test/support/test-isolation';
import { chatDataSourceOptions } from '../database/chat-data-source-options';
import { ChatTx } from './chat-tx';
import { CommandPublisher } from './command-publisher';
import { UnitOfWork } from './unit-of-work';

// Against the real Postgres: the user locks that keep a user's transactions from deadlocking. Two
// transactions of one user lock two of its rows in opposite orders (as events of two of the host's
// connections did: group then connection, connection then group). Each waits for a sign from
// Postgres (pg_locks), never for time.
describe('UnitOfWork user locks', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  let queue: ShardedQueue;
  let work: UnitOfWork;
  const prefix = testQueuePrefix('unit-of-work');

  beforeAll(async () => {
    testDb = await createTestDatabase('unit-of-work');
    db = await openMigratedDataSource(chatDataSourceOptions(testDb.url, 6));
    await db.query(`CREATE TABLE chat.lock_probe (k text PRIMARY KEY)`);
    await db.query(`INSERT INTO chat.lock_probe VALUES ('a'), ('b')`);
    queue = ShardedQueue.open(AGENT_COMMANDS_QUEUE, { redisUrl: SHARED_REDIS_URL, prefix, shards: 1 });
    work = new UnitOfWork(db, new CommandPublisher(queue, db));
  });
  afterAll(async () => {
    await queue?.close();
    await dropQueueKeys(SHARED_REDIS_URL, prefix);
    await db?.destroy();
    await testDb?.drop();
  });

  const deadlocks = async () => Number((await db.query(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`))[0].deadlocks);
  const lockRow = (tx: ChatTx, k: string) => tx.em.query(`SELECT k FROM chat.lock_probe WHERE k = $1 FOR UPDATE`, [k]);
  /** Resolves once a backend of this database waits for a lock (any kind: only the test's transactions run here), or once `also` resolves. */
  const waitingOrDone = async (also: Promise<unknown>) => {
    let done = false;
    void also.then(() => (done = true));
    for (;;) {
      if (done) return;
      const waiting = await db.query(
        `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`,
      );
      if (waiting.length > 0) return;
      await new Promise((r) => setImmediate(r));
    }
  };

  type Runner = (userId: string, w: (tx: ChatTx) => Promise<void>) => Promise<void>;
  /** The first transaction locks 'a' then 'b', the second 'b' then 'a', each through its runner. */
  async function oppositeOrders(runFirst: Runner, runSecond: Runner): Promise<string[]> {
    const userId = randomUUID();
    const order: string[] = [];
    let firstHolds!: () => void;
    const firstHoldsA = new Promise<void>((r) => (firstHolds = r));
    let secondLockedB!: () => void;
    const secondHoldsB = new Promise<void>((r) => (secondLockedB = r));
    const second = (async () => {
      await firstHoldsA;
      await runSecond(userId, async (tx) => {
        await lockRow(tx, 'b');
        secondLockedB();
        await lockRow(tx, 'a');
        order.push('second');
      });
    })();
    const first = runFirst(userId, async (tx) => {
      await lockRow(tx, 'a');
      firstHolds();
      // The second transaction is either waiting (for the user lock, or for 'a') or holds 'b' already.
      await waitingOrDone(secondHoldsB);
      await lockRow(tx, 'b');
      order.push('first');
    });
    await Promise.all([first, second]);
    return order;
  }

  it('run: two transactions with the same `users` never deadlock, whatever rows they lock in what order', async () => {
    const before = await deadlocks();
    const api: Runner = (userId, w) => work.run(w, { users: [userId] });
    const order = await oppositeOrders(api, api);
    expect(await deadlocks()).toBe(before);
    expect(order).toEqual(['first', 'second']);
  });

  it('runGrouped and run on one user: the batch and the API call never deadlock', async () => {
    const before = await deadlocks();
    const order = await oppositeOrders(
      (userId, w) => work.run(w, { users: [userId] }),
      (userId, w) => work.runGrouped(userId, w),
    );
    expect(await deadlocks()).toBe(before);
    expect(order).toEqual(['first', 'second']);
  });
});
