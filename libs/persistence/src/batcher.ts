/** One item waiting for a batch. */
interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

export interface BatchRunner<I, O> {
  /** Does every item in one go (one transaction, one statement, one addBulk); results in item order. */
  together(items: I[]): Promise<O[]>;
  /** Does one item on its own: for a lone item, and for each item of a batch that failed. */
  alone(item: I): Promise<O>;
}

export interface BatcherLimits {
  /** Batches in flight at once (each may hold a pooled connection). */
  maxBatches: number;
  /** Items per batch: bounds one statement's size and how long one transaction holds its locks. */
  maxBatchSize: number;
}

/**
 * Batches by load, not by timer: an item that finds a free slot (fewer than maxBatches in flight)
 * starts at once, so an unloaded system pays no added latency; items that arrive while every slot
 * is busy wait and go together in the next batch, so under load each round trip (and each commit's
 * WAL flush) is paid once per batch instead of once per item.
 *
 * When a batch fails, nothing of it took effect (the runner's contract: `together` is all or
 * nothing — one transaction, or one statement), and every item of it runs again alone: a failure
 * stays its own item's, and the other items succeed as they would have alone.
 */
export class Batcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly runner: BatchRunner<I, O>,
    private readonly limits: BatcherLimits,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limits.maxBatches && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.limits.maxBatchSize);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    let results: O[];
    try {
      results = await this.runner.together(batch.map((w) => w.item));
    } catch {
      // Nothing of the batch took effect: each item again on its own, so only a failing one fails.
      await Promise.all(batch.map((w) => this.runAlone(w)));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  private async runAlone(w: Waiting<I, O>): Promise<void> {
    try {
      w.resolve(await this.runner.alone(w.item));
    } catch (err) {
      w.reject(err);
    }
  }
}
