import type { ChatTx } from './chat-tx';

/** One piece of domain work waiting for a batch. */
interface Waiting<T = unknown> {
  work: (tx: ChatTx) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitRunner {
  /** Runs every work in ONE transaction on one ChatTx, in order, then publishes what it asked for. */
  together(works: ((tx: ChatTx) => Promise<unknown>)[]): Promise<unknown[]>;
  /** Runs one work in its own transaction (with its own retries): the fallback when a batch fails. */
  alone<T>(work: (tx: ChatTx) => Promise<T>): Promise<T>;
}

/**
 * Group commit for the events worker. Each event alone costs BEGIN, COMMIT, a read of the touched
 * connections' heads and a publish — four round trips around its one to three statements, and a WAL
 * flush per commit. Works that arrive while a batch is running wait and go together in the next
 * one: the four round trips and the flush are paid once per batch. Unloaded, a work finds no batch
 * running and starts at once (no added latency); under load, batches grow by themselves.
 *
 * Works of one batch run one after the other on one connection, so two events of one connection
 * keep their order and the second sees the first's rows. Exactly-once is untouched: each work's
 * claim is a statement of the batch's transaction, committed with everything it caused or not at all.
 * When any work fails (its own error, a deadlock with another batch, Postgres away), the whole
 * transaction has rolled back — no work of it took effect — and every work of the batch runs again
 * alone, so a failure stays its own work's and the others commit.
 */
export class GroupCommit {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly runner: GroupCommitRunner,
    /** Batches in flight at once: each holds one pooled connection. */
    private readonly maxBatches: number,
    /** Works per batch: bounds how long one batch holds its row locks. */
    private readonly maxBatchSize: number,
  ) {}

  run<T>(work: (tx: ChatTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve, reject } as Waiting);
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.maxBatches && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatchSize);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    let results: unknown[];
    try {
      results = await this.runner.together(batch.map((w) => w.work));
    } catch {
      // Nothing of the batch committed: each work again on its own, so only a failing one fails.
      await Promise.all(batch.map((w) => this.runAlone(w)));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  private async runAlone(w: Waiting): Promise<void> {
    try {
      w.resolve(await this.runner.alone(w.work));
    } catch (err) {
      w.reject(err);
    }
  }
}
