import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RelayClient } from '../relay/relay-client';
import { classifyError } from '../retry/error-classification';
import { retryInline } from '../retry/inline-retry';
import { RetryPolicy } from '../retry/retry-policy';
import { AgentMembership } from './agent-membership';

const SUBSCRIBE_BATCH = 1_000;
/** A "recent" pass looks at connections changed this long ago at most (a queue is stored on its row). */
const RECENT_WINDOW_S = 15;

/** One SSE stream of this agent to one relay, and what it subscribed there. */
export interface RelaySession {
  abort: AbortController;
  sessionId: string | null;
  /** Queues this session subscribed (and, as far as we know, still holds at the relay). */
  subscribed: Set<string>;
  /** Subscription passes run one at a time per session. */
  pass: Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

export function idleSession(): RelaySession {
  return { abort: new AbortController(), sessionId: null, subscribed: new Set(), pass: DONE };
}

/**
 * Subscription passes of a relay session: the receive queues of our live connections on that relay
 * that we own (AgentMembership) and the session does not hold yet — all of them, or those of
 * connections changed lately — in batches the relay accepts. A pass that fails ends the stream, so
 * a fresh session starts over.
 */
@Injectable()
export class OwnedQueueSubscriber {
  private readonly logger = new Logger(OwnedQueueSubscriber.name);

  constructor(
    private readonly relays: RelayClient,
    private readonly policy: RetryPolicy,
    private readonly dataSource: DataSource,
    private readonly membership: AgentMembership,
  ) {}

  /** Queues a pass after the session's current one; `skipIfBusy`: none if one is running (sweeps). */
  enqueue(relay: string, session: RelaySession, scope: 'all' | 'recent', skipIfBusy = false): void {
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

  private async subscribeOwned(relay: string, session: RelaySession, scope: 'all' | 'recent'): Promise<void> {
    const sessionId = session.sessionId;
    if (!sessionId || session.abort.signal.aborted) return;
    const recent = scope === 'recent' ? `AND updated_at > now() - interval '${RECENT_WINDOW_S} seconds'` : '';
    let after = '';
    let total = 0;
    for (;;) {
      const rows: Array<{ rcv_recipient_id: string }> = await this.dataSource.query(
        `SELECT rcv_recipient_id FROM "agent"."connections"
          WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted' AND rcv_recipient_id > $2 ${recent}
          ORDER BY rcv_recipient_id LIMIT ${SUBSCRIBE_BATCH}`,
        [relay, after],
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.rcv_recipient_id).filter((id) => !session.subscribed.has(id) && this.membership.owns(id));
      if (ids.length > 0) {
        await retryInline(() => this.relays.subscribe(relay, sessionId, ids), {
          policy: this.policy,
          signal: session.abort.signal,
          logger: this.logger,
          what: 'subscribe',
          context: { relay },
        });
        for (const id of ids) session.subscribed.add(id);
        total += ids.length;
      }
      after = rows[rows.length - 1].rcv_recipient_id;
      if (rows.length < SUBSCRIBE_BATCH) break;
    }
    if (scope === 'all' || total > 0) this.logger.log({ relay, sessionId, scope, queues: total, held: session.subscribed.size }, 'relay queues subscribed');
  }
}
