import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Batcher } from '@gc/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ChatTx } from './chat-tx';
import { CommandPublisher } from './command-publisher';

// deadlock_detected, serialization_failure: the transaction did nothing; run it again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TRIES = 8;
// Group commit (runGrouped): batches in flight at once (each holds a pooled connection), and works per batch.
const GROUP_COMMIT = { maxBatches: 2, maxBatchSize: 16 };
type Work = (tx: ChatTx) => Promise<unknown>;
/** A work of group commit and the user whose rows it touches (every event names its user). */
interface UserWork {
  userId: string;
  work: Work;
}
/** The advisory-lock namespace of "a transaction on this user's rows" (pg_advisory_xact_lock(int, int)). */
const USER_LOCK_SPACE = 0x6763_7573; // "gcus"

export interface UnitOfWorkOptions {
  /**
   * Wait for the publish to Redis before returning. An API call does not: once the rows are
   * committed the outbox guarantees the commands go out (the reconciler re-publishes what a failed
   * publish left), so a slow or frozen Redis must not hold the answer. The events worker does, so
   * that its concurrency also bounds the publishes in flight.
   */
  awaitPublish?: boolean;
  /**
   * The users whose rows the work touches (an API call: its `:u`). Their locks are taken first, in one
   * order, so that this transaction and the events' batches on the same users run one after the other
   * instead of locking rows in different orders: the host's group, member and connection rows are
   * locked by events of many of its connections at once, and did deadlock (Postgres then holds both
   * for deadlock_timeout, 1 s, and aborts one).
   */
  users?: readonly string[];
}

/** Runs domain work in one transaction, then publishes the commands it asked for (the outbox). */
@Injectable()
export class UnitOfWork {
  private readonly log = new Logger(UnitOfWork.name);
  private readonly grouped: Batcher<UserWork, unknown>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: CommandPublisher,
  ) {
    this.grouped = new Batcher<UserWork, unknown>(
      {
        together: (works) => this.together(works),
        alone: ({ userId, work }) => this.run(work, { awaitPublish: true, users: [userId] }),
      },
      // Two batches in flight never share a user: they would wait on each other's row locks.
      { ...GROUP_COMMIT, keyOf: (w) => w.userId },
    );
  }

  run<T>(work: (tx: ChatTx) => Promise<T>, opts: UnitOfWorkOptions = {}): Promise<T> {
    const users = opts.users ?? [];
    return this.attempt(
      (inTx) =>
        this.db.transaction(async (em) => {
          await lockUsers(em, users);
          return inTx(em);
        }),
      work,
      opts,
    );
  }

  /**
   * For work that is ONE statement (e.g. a CTE writing the domain rows and the outbox row together):
   * Postgres runs a statement atomically on its own, so BEGIN and COMMIT would only add two round
   * trips. The work must not issue a second writing statement.
   */
  runOneStatement<T>(work: (tx: ChatTx) => Promise<T>, opts: UnitOfWorkOptions = {}): Promise<T> {
    return this.attempt((inTx) => inTx(this.db.manager), work, opts);
  }

  /**
   * As `run` with `awaitPublish`, but the work may share its transaction with other works submitted
   * meanwhile (group commit, @gc/persistence Batcher): for the events worker, whose many small
   * transactions would each pay BEGIN, COMMIT (a WAL flush), a heads read and a publish. Works of a
   * batch run one after the other on one ChatTx, so two events of one connection keep their order and
   * the second sees the first's rows; each work's claim commits with all it caused or not at all. A
   * failed batch rolled back whole, and each of its works runs again alone (`run`, with its retries).
   * The work must not depend on being alone in its transaction beyond what row locks give it, and
   * touches only `userId`'s rows: a batch locks its users first (as `run` does with `users`), and two
   * batches in flight never share a user.
   */
  runGrouped<T>(userId: string, work: (tx: ChatTx) => Promise<T>): Promise<T> {
    return this.grouped.run({ userId, work }) as Promise<T>;
  }

  private async together(works: UserWork[]): Promise<unknown[]> {
    let tx: ChatTx | undefined;
    const results = await this.db.transaction(async (em) => {
      await lockUsers(em, works.map((w) => w.userId));
      tx = new ChatTx(em);
      const out: unknown[] = [];
      for (const { work } of works) out.push(await work(tx));
      return out;
    });
    // After the commit; it never throws (a failed publish is left to the reconciler), so a batch
    // that committed is never run again.
    await this.publisher.publishAfterCommit(tx!);
    return results;
  }

  private async attempt<T>(open: (inTx: (em: EntityManager) => Promise<T>) => Promise<T>, work: (tx: ChatTx) => Promise<T>, opts: UnitOfWorkOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let tx: ChatTx | undefined;
      try {
        const result = await open((em) => {
          tx = new ChatTx(em);
          return work(tx);
        });
        if (opts.awaitPublish) await this.publisher.publishAfterCommit(tx!);
        else await this.publisher.publishInBackground(tx!);
        return result;
      } catch (err) {
        const code = (err as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_TRIES) throw err;
        this.log.debug(`transaction retried after ${code} (attempt ${attempt})`);
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }
}

/**
 * Transaction-level advisory locks of these users, in the order of their keys (one order for every
 * transaction, so no two wait on each other in a cycle); released at commit or rollback, so they hold
 * under PgBouncer's transaction pooling. A subquery with ORDER BY is not flattened: the locks are taken
 * in its order. Two users whose keys collide share a lock: they only wait for each other.
 */
async function lockUsers(em: EntityManager, users: readonly string[]): Promise<void> {
  if (users.length === 0) return;
  await em.query(
    `SELECT pg_advisory_xact_lock(${USER_LOCK_SPACE}, k) FROM (SELECT DISTINCT hashtext(u) AS k FROM unnest($1::text[]) AS u ORDER BY 1) AS keys`,
    [[...new Set(users)]],
  );
}
