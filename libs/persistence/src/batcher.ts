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

export interface BatcherLimits<I = unknown> {
  /** Batches in flight at once (each may hold a pooled connection). */
  maxBatches: number;
  /** Items per batch: bounds one statement's size and how long one transaction holds its locks. */
  maxBatchSize: number;
  /**
   * Items of one key are never in two batches in flight at once: an item whose key is in flight waits
   * for the next batch after it, behind the items of its key that came before it (their order holds).
   * For batches that lock what their items touch (the chat's group commit: a user's rows), so two
   * batches never wait on each other's locks, let alone in a cycle.
   */
  keyOf?: (item: I) => string;
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
  private waiting: Waiting<I, O>[] = [];
  private running = 0;
  /** Keys of the items in the batches in flight (with keyOf), counted. */
  private readonly busyKeys = new Map<string, number>();

  constructor(
    private readonly runner: BatchRunner<I, O>,
    private readonly limits: BatcherLimits<I>,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limits.maxBatches && this.waiting.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return; // every waiting item's key is in flight
      const keys = this.limits.keyOf ? [...new Set(batch.map((w) => this.limits.keyOf!(w.item)))] : [];
      for (const k of keys) this.busyKeys.set(k, (this.busyKeys.get(k) ?? 0) + 1);
      this.running++;
      void this.runBatch(batch).finally(() => {
        for (const k of keys) {
          const n = this.busyKeys.get(k)! - 1;
          if (n === 0) this.busyKeys.delete(k);
          else this.busyKeys.set(k, n);
        }
        this.running--;
        this.next();
      });
    }
  }

  /** The next batch: the oldest waiting items, skipping those whose key is in flight. */
  private take(): Waiting<I, O>[] {
    const { keyOf, maxBatchSize } = this.limits;
    if (!keyOf) return this.waiting.splice(0, maxBatchSize);
    const batch: Waiting<I, O>[] = [];
    const left: Waiting<I, O>[] = [];
    for (const w of this.waiting) {
      if (batch.length < maxBatchSize && !this.busyKeys.has(keyOf(w.item))) batch.push(w);
      else left.push(w);
    }
    this.waiting = left;
    return batch;
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    let results: O[];
    try {
      results = await this.runner.together(batch.map((w) => w.item));
    } catch {
      // Nothing of the batch took effect: each item again on its own, so only a failing one fails;
      // the items of one key one after the other, in their order, keys side by side.
      await Promise.all([...this.byKey(batch).values()].map(async (items) => {
        for (const w of items) await this.runAlone(w);
      }));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  private byKey(batch: Waiting<I, O>[]): Map<string, Waiting<I, O>[]> {
    const groups = new Map<string, Waiting<I, O>[]>();
    batch.forEach((w, i) => {
      const key = this.limits.keyOf ? this.limits.keyOf(w.item) : String(i);
      const items = groups.get(key);
      if (items) items.push(w);
      else groups.set(key, [w]);
    });
    return groups;
  }

  private async runAlone(w: Waiting<I, O>): Promise<void> {
    try {
      w.resolve(await this.runner.alone(w.item));
    } catch (err) {
      w.reject(err);
    }
  }
}
