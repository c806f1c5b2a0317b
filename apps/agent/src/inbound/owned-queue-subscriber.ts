import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RelayClient } from '../relay/relay-client';
import { classifyError } from '../retry/error-classification';
import { retryInline } from '../retry/inline-retry';
import { RetryPolicy } from '../retry/retry-policy';
import { AgentMembership } from './agent-membership';
import { mergeRuns, OWNER_BUCKETS } from './owner-buckets';
import { bucketQueuePage, recentQueuePage, SUBSCRIBE_BATCH } from './receive-queue-page';

/**
 * A "recent" pass looks at connections changed since the start of the session's last completed pass,
 * plus this margin (a queue is stored on its row; `updated_at` is its transaction's start, which may
 * precede the commit, and agents' passes are not in step). Anchoring on the last pass, not on a fixed
 * window, keeps a pass that outlasted the window (a full pass over many rows, recent passes skipped
 * meanwhile) from leaving queues to the slow safety pass.
 */
export const RECENT_MARGIN_S = 15;

/** The recent pass's window: seconds since the last completed pass began, plus the margin. */
export function recentWindowS(lastPassStartedMs: number, nowMs: number): number {
  return Math.ceil(Math.max(0, nowMs - lastPassStartedMs) / 1000) + RECENT_MARGIN_S;
}

/**
 * A pass over the stored queues: `all` when a session opens or the live agents change, `safety` the
 * same read on the slow schedule (what it finds, no other pass did), `recent` the rows changed lately.
 */
export type PassScope = 'all' | 'safety' | 'recent';

/** One SSE stream of this agent to one relay, and what it subscribed there. */
export interface RelaySession {
  abort: AbortController;
  sessionId: string | null;
  /** Queues this session subscribed (and, as far as we know, still holds at the relay). */
  subscribed: Set<string>;
  /** Subscription passes run one at a time per session. */
  pass: Promise<void>;
  /** When (performance.now()) the last pass that completed began; a recent pass reaches back to it. */
  lastPassStartedMs: number | null;
}

const DONE: Promise<void> = Promise.resolve();

export function idleSession(): RelaySession {
  return { abort: new AbortController(), sessionId: null, subscribed: new Set(), pass: DONE, lastPassStartedMs: null };
}

/**
 * Subscription passes of a relay session: the receive queues of our live connections on that relay
 * that we own (AgentMembership) and the session does not hold yet — all of them (read by the owner
 * buckets we own), or those of connections changed since the last pass — in batches the relay accepts. A pass that fails ends the stream, so
 * a fresh session starts over.
 */
@Injectable()
export class OwnedQueueSubscriber {
  private readonly logger = new Logger(OwnedQueueSubscriber.name);
  /** Per relay, the live queues a bucket held in the last full pass (0 until one ran: read all at once). */
  private readonly rowsPerBucket = new Map<string, number>();

  constructor(
    private readonly relays: RelayClient,
    private readonly policy: RetryPolicy,
    private readonly dataSource: DataSource,
    private readonly membership: AgentMembership,
  ) {}

  /** Queues a pass after the session's current one; `skipIfBusy`: none if one is running (sweeps). */
  enqueue(relay: string, session: RelaySession, scope: PassScope, skipIfBusy = false): void {
    if (skipIfBusy && session.pass !== DONE) return;
    const next: Promise<void> = session.pass
      .then(() => this.subscribeOwned(relay, session, scope))
      .catch((err) => {
        if (session.abort.signal.aborted) return;
        this.logger.warn({ relay, error: classifyError(err).message }, 'resubscribe failed; reconnecting');
        session.abort.abort();
      })
      .finally(() => {
        if (session.pass === next) session.pass = DONE;
      });
    session.pass = next;
  }

  private async subscribeOwned(relay: string, session: RelaySession, scope: PassScope): Promise<void> {
    const sessionId = session.sessionId;
    if (!sessionId || session.abort.signal.aborted) return;
    const startedMs = performance.now();
    // No completed pass to reach back to (cannot happen after a session's opening pass): read all.
    const changedWithinS = scope === 'recent' && session.lastPassStartedMs !== null ? recentWindowS(session.lastPassStartedMs, startedMs) : null;
    let total = 0;
    // Owned ids wait here until a relay batch is full: a full pass reads many small runs of buckets,
    // and one subscribe per run would multiply the relay requests.
    let waiting: string[] = [];
    const missed: string[] = [];
    const subscribeOwnedOf = async (page: string[], flush = false) => {
      for (const id of page) if (!session.subscribed.has(id) && this.membership.owns(id)) waiting.push(id);
      if (waiting.length === 0 || (!flush && waiting.length < SUBSCRIBE_BATCH)) return;
      const ids = waiting;
      waiting = [];
      await retryInline(() => this.relays.subscribe(relay, sessionId, ids), {
        policy: this.policy,
        signal: session.abort.signal,
        logger: this.logger,
        what: 'subscribe',
        context: { relay },
      });
      for (const id of ids) session.subscribed.add(id);
      total += ids.length;
      if (scope === 'safety' && missed.length < 10) missed.push(...ids.slice(0, 10 - missed.length));
    };
    for await (const page of this.pagesOf(relay, changedWithinS)) {
      if (session.abort.signal.aborted) return;
      await subscribeOwnedOf(page);
    }
    await subscribeOwnedOf([], true);
    session.lastPassStartedMs = startedMs;
    if (scope === 'safety' && total > 0) {
      // Every path that stores or moves a queue subscribes it (or a recent pass does): a queue only the
      // safety pass found is a gap in those paths, worth a line of its own until none is left.
      this.logger.warn({ relay, sessionId, queues: total, recipientIds: missed }, 'safety pass subscribed queues no other pass had');
    } else if (scope === 'all' || total > 0) this.logger.log({ relay, sessionId, scope, queues: total, held: session.subscribed.size }, 'relay queues subscribed');
  }

  /**
   * The stored queue ids a pass reads, a page at a time: the rows changed in the last
   * `changedWithinS` (a recent pass), or, with null, every row of the owner buckets we hold.
   */
  private async *pagesOf(relay: string, changedWithinS: number | null): AsyncGenerator<string[]> {
    if (changedWithinS !== null) {
      for (let after = ''; ; ) {
        const page = await recentQueuePage(this.dataSource, relay, after, changedWithinS);
        yield page;
        if (page.length < SUBSCRIBE_BATCH) return;
        after = page[page.length - 1];
      }
    }
    // Only the buckets we own: the other agents read theirs (owns() still decides, should the live
    // set change during the pass; a change enqueues another full pass anyway). Gaps of other
    // agents' buckets holding fewer rows than a batch are read through rather than queried around.
    const perBucket = this.rowsPerBucket.get(relay) ?? 0;
    const runs = mergeRuns(this.membership.ownedBucketRuns(), perBucket > 0 ? Math.floor(SUBSCRIBE_BATCH / perBucket) : OWNER_BUCKETS);
    let rows = 0;
    for (const [first, last] of runs) {
      for (let from = { bucket: first, id: '' }; ; ) {
        const page = await bucketQueuePage(this.dataSource, relay, from.bucket, from.id, last);
        rows += page.ids.length;
        yield page.ids;
        if (page.ids.length < SUBSCRIBE_BATCH || !page.last) break;
        from = page.last;
      }
    }
    const buckets = runs.reduce((n, [first, last]) => n + last - first + 1, 0);
    if (buckets > 0) this.rowsPerBucket.set(relay, rows / buckets);
  }
}
