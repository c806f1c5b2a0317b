import 'reflect-metadata';
import { DataSource, EntityManager } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-isolation';
import { Batcher, BatchRunner } from './batcher';

type Work = (tx: { em: EntityManager }) => Promise<unknown>;

// Against the real Postgres, with the runner shape the chat's group commit uses (one transaction
// for a batch of works): what a batch commits, and what it never commits twice.
describe('Batcher (as group commit)', () => {
  let testDb: TestDatabase;
  let db: DataSource;
  const calls = { together: [] as number[], alone: 0 };

  const inTx = async (works: Work[]) =>
    db.transaction(async (em) => {
      const out: unknown[] = [];
      for (const work of works) out.push(await work({ em }));
      return out;
    });
  const runner: BatchRunner<Work, unknown> = {
    together: (works) => {
      calls.together.push(works.length);
      return inTx(works);
    },
    alone: async (work) => {
      calls.alone++;
      return (await inTx([work]))[0];
    },
  };
  /** A work that writes its key and answers the transaction it ran in. */
  const write = (key: string) => async (tx: { em: EntityManager }) => {
    await tx.em.query(`INSERT INTO done (k) VALUES ($1)`, [key]);
    const [{ txid }] = await tx.em.query(`SELECT txid_current()::text AS txid`);
    return txid as string;
  };
  const keys = async () => ((await db.query(`SELECT k FROM done ORDER BY n`)) as { k: string }[]).map((r) => r.k);

  beforeAll(async () => {
    testDb = await createTestDatabase('group-commit');
    db = await new DataSource({ type: 'postgres', url: testDb.url, extra: { max: 4 } }).initialize();
    await db.query(`CREATE TABLE done (n serial, k text PRIMARY KEY)`);
  });
  beforeEach(async () => {
    await db.query(`TRUNCATE done`);
    calls.together = [];
    calls.alone = 0;
  });
  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('unloaded, a work runs at once on its own', async () => {
    const group = new Batcher(runner, { maxBatches: 1, maxBatchSize: 16 });
    await group.run(write('a'));
    expect(calls).toEqual({ together: [], alone: 1 });
    expect(await keys()).toEqual(['a']);
  });

  it('works that arrive while a batch runs go together, in order, in one transaction', async () => {
    const group = new Batcher(runner, { maxBatches: 1, maxBatchSize: 16 });
    const first = group.run(write('first')); // starts alone, at once
    const rest = ['b', 'c', 'd', 'e'].map((k) => group.run(write(k)));
    const txids = await Promise.all([first, ...rest]);
    expect(calls.together).toEqual([4]);
    expect(new Set(txids.slice(1)).size).toBe(1);
    expect(txids[0]).not.toBe(txids[1]);
    expect(await keys()).toEqual(['first', 'b', 'c', 'd', 'e']);
  });

  it('a batch is never larger than its bound', async () => {
    const group = new Batcher(runner, { maxBatches: 1, maxBatchSize: 3 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => group.run(write(`k${i}`))));
    // The first alone (nothing was running), then 3 + 3, and the last one alone.
    expect(calls).toEqual({ together: [3, 3], alone: 2 });
    expect((await keys()).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `k${i}`).sort());
  });

  it('one failing work: it alone fails with its own error, every other work commits exactly once', async () => {
    const group = new Batcher(runner, { maxBatches: 1, maxBatchSize: 16 });
    const first = group.run(write('first'));
    const boom = new Error('this event is bad');
    const outcomes = await Promise.allSettled([
      first,
      group.run(write('x')),
      group.run(async (tx: { em: EntityManager }) => {
        await write('bad')(tx);
        throw boom;
      }),
      group.run(write('y')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBe(boom);
    // The batch of three rolled back as a whole, then each ran alone: 'x' and 'y' once, 'bad' never.
    expect(calls.together).toEqual([3]);
    expect(calls.alone).toBe(1 + 3);
    expect((await keys()).sort()).toEqual(['first', 'x', 'y']); // the fallbacks run side by side: any order
  });

  it('a statement error (a duplicate key) in a batch fails that work only', async () => {
    const group = new Batcher(runner, { maxBatches: 1, maxBatchSize: 16 });
    await group.run(write('taken'));
    const first = group.run(write('p'));
    const outcomes = await Promise.allSettled([first, group.run(write('q')), group.run(write('taken')), group.run(write('r'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/duplicate key/);
    expect((await keys()).sort()).toEqual(['p', 'q', 'r', 'taken']);
  });
});
