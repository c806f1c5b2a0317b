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

  it("with keyOf, two batches in flight never share a key; a key's items keep their order; other keys go ahead", async () => {
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    // Each item runs until its gate opens; `together` and `alone` record what started, in which batch.
    const gated: BatchRunner<{ key: string; name: string }, string> = {
      together: async (items) => {
        started.push(items.map((i) => i.name).join('+'));
        await Promise.all(items.map((i) => new Promise<void>((open) => gates.set(i.name, open))));
        return items.map((i) => i.name);
      },
      alone: async (item) => {
        started.push(item.name);
        await new Promise<void>((open) => gates.set(item.name, open));
        return item.name;
      },
    };
    const group = new Batcher(gated, { maxBatches: 2, maxBatchSize: 16, keyOf: (i) => i.key });
    const settled = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    const u1a = group.run({ key: 'u1', name: 'u1a' }); // slot 1, alone
    const u1b = group.run({ key: 'u1', name: 'u1b' }); // u1 is in flight: waits
    const u2a = group.run({ key: 'u2', name: 'u2a' }); // slot 2, alone, ahead of u1b
    const u1c = group.run({ key: 'u1', name: 'u1c' }); // behind u1b
    await settled();
    expect(started).toEqual(['u1a', 'u2a']);
    gates.get('u2a')!(); // a slot frees, but every waiting item is u1's, in flight in slot 1
    expect(await u2a).toBe('u2a');
    await settled();
    expect(started).toEqual(['u1a', 'u2a']);
    gates.get('u1a')!(); // u1 free: its waiting items go together, in their order
    expect(await u1a).toBe('u1a');
    await settled();
    expect(started).toEqual(['u1a', 'u2a', 'u1b+u1c']);
    gates.get('u1b')!();
    gates.get('u1c')!();
    expect(await Promise.all([u1b, u1c])).toEqual(['u1b', 'u1c']);
  });

  it("with keyOf, a failed batch reruns one key's items one after the other, in their order", async () => {
    const ran: string[] = [];
    let inFlightOfU1 = 0;
    const flaky: BatchRunner<{ key: string; name: string }, string> = {
      together: async () => {
        throw new Error('the batch fails');
      },
      alone: async (item) => {
        if (item.key === 'u1' && ++inFlightOfU1 > 1) throw new Error('two of u1 at once');
        ran.push(item.name);
        await new Promise((r) => setImmediate(r));
        if (item.key === 'u1') inFlightOfU1--;
        return item.name;
      },
    };
    const group = new Batcher(flaky, { maxBatches: 1, maxBatchSize: 16, keyOf: (i) => i.key });
    const first = group.run({ key: 'u0', name: 'first' });
    const rest = ['u1:a', 'u2:b', 'u1:c', 'u1:d'].map((n) => group.run({ key: n.split(':')[0], name: n }));
    expect(await Promise.all([first, ...rest])).toEqual(['first', 'u1:a', 'u2:b', 'u1:c', 'u1:d']);
    expect(ran.filter((n) => n.startsWith('u1'))).toEqual(['u1:a', 'u1:c', 'u1:d']);
  });
});
