import { AgentEvent } from '@gc/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { EventPublisher } from '../events/event-publisher';
import { ConnectionEntity } from '../persistence/connection.entity';
import { ConnectionStore } from '../persistence/connection-store';
import { InboxStore } from '../persistence/inbox-store';
import { inboundEventId, outboundMsgId } from '../protocol/derived-ids';
import { PeerChannel } from '../protocol/peer-channel';
import { openEnvelope } from '../protocol/sealed-envelope';
import { RelayClient } from '../relay/relay-client';
import { classifyError } from '../retry/error-classification';
import { retryInline } from '../retry/inline-retry';
import { RetryPolicy } from '../retry/retry-policy';
import { applyEnvelope } from './envelope-effect';
import { RelayDelivery } from './relay-delivery';

/**
 * Backpressure: at most this many received messages wait or run here; past it the relay stream is
 * not read (RelaySessions waits for `whenRoom`), so TCP holds the rest at the relay, where they stay
 * stored until acked. Without it a re-subscribe pushing an outage's backlog lands in memory at
 * once, under the agent's 160 MB heap cap. Reading resumes below the low-water mark.
 */
export const INBOUND_MAX_BUFFERED = 256;
export const INBOUND_RESUME_AT = 128;

type FirstPhase = { kind: 'done'; events: AgentEvent[] } | { kind: 'handshake'; conn: ConnectionEntity } | { kind: 'orphan' };

/**
 * Received relay messages. Serial per receive queue (a promise chain each), concurrent across them.
 * Per message: under the connection's row lock, the inbox row (deduped by relay + queue + msgId) and
 * the state change commit together; handshake IO runs between locks with inline retries; then the
 * events are added (ids derived from the msgId) and only then is the message acked to the relay.
 */
@Injectable()
export class InboundProcessor {
  private readonly logger = new Logger(InboundProcessor.name);
  private readonly chains = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private buffered = 0;
  private readonly roomWaiters = new Set<() => void>();

  constructor(
    private readonly connections: ConnectionStore,
    private readonly inbox: InboxStore,
    private readonly relays: RelayClient,
    private readonly events: EventPublisher,
    private readonly policy: RetryPolicy,
    private readonly channel: PeerChannel,
  ) {
    // Every buffered message's inline retries listen on the one stopping signal: bounded by the buffer.
    setMaxListeners(INBOUND_MAX_BUFFERED * 2 + 16, this.stopping.signal);
  }

  /** True when the buffer is full: the caller stops reading the relay stream. */
  isFull(): boolean {
    return this.buffered >= INBOUND_MAX_BUFFERED;
  }

  /** Resolves once the buffer drained below INBOUND_RESUME_AT, or after `maxWaitMs` (false). */
  whenRoom(maxWaitMs: number): Promise<boolean> {
    if (this.buffered <= INBOUND_RESUME_AT) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (room: boolean) => {
        clearTimeout(timer);
        this.roomWaiters.delete(wake);
        resolve(room);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), maxWaitMs);
      this.roomWaiters.add(wake);
    });
  }

  accept(relay: string, delivery: RelayDelivery): void {
    const key = `${relay}|${delivery.recipientId}`;
    this.buffered++;
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.handle(relay, delivery))
      .catch((err) => {
        if (this.stopping.signal.aborted) return;
        // Left unacked: the relay redelivers it on the next subscription, and the inbox dedupes.
        this.logger.warn({ relay, recipientId: delivery.recipientId, msgId: delivery.msgId, error: classifyError(err).message }, 'message not processed');
      })
      .finally(() => {
        this.buffered--;
        if (this.buffered <= INBOUND_RESUME_AT) for (const wake of [...this.roomWaiters]) wake();
      });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  async drain(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.chains.values()]);
  }

  private inline<T>(what: string, step: () => Promise<T>, context: Record<string, unknown>): Promise<T> {
    return retryInline(step, { policy: this.policy, signal: this.stopping.signal, logger: this.logger, what, context });
  }

  private async handle(relay: string, d: RelayDelivery): Promise<void> {
    const ctx = { relay, recipientId: d.recipientId, msgId: d.msgId };
    const first = await this.inline('record message', () => this.firstPhase(relay, d), ctx);
    let events: AgentEvent[] = [];
    if (first.kind === 'orphan') {
      this.logger.warn(ctx, 'message for a queue of no connection; dropped');
    } else if (first.kind === 'done') {
      events = first.events;
    } else {
      events = await this.completeHandshake(relay, d, first.conn, ctx);
    }
    await this.inline('add events', () => this.events.publish(events), ctx);
    await this.inline('ack', () => this.relays.ack(relay, d.recipientId, d.msgId), ctx);
  }

  private firstPhase(relay: string, d: RelayDelivery): Promise<FirstPhase> {
    const key = { relay, recipientId: d.recipientId, msgId: d.msgId };
    return this.inbox.lockedForMessage(key, async (conn, existing, em) => {
      if (!conn) return { kind: 'orphan' };
      if (existing?.status === 'complete') return { kind: 'done', events: existing.events };
      const before = { ...conn };
      // Opened under the row lock: an inviter's first conf agrees the connection key on `conn`.
      const envelope = openEnvelope(conn, d);
      const effect = applyEnvelope(conn, envelope, key);
      if (effect.dropped) this.logger.warn({ relay, msgId: d.msgId, connId: conn.connId, status: conn.status, reason: effect.dropped }, 'message dropped');
      await this.connections.saveReceivedChanges(em, before, conn);
      const row = { userId: conn.userId, connId: conn.connId, kind: envelope?.t ?? 'invalid' };
      if (effect.handshake) {
        await this.inbox.record(em, key, { ...row, status: 'received', events: [] });
        return { kind: 'handshake', conn };
      }
      await this.inbox.record(em, key, { ...row, status: 'complete', events: effect.events });
      return { kind: 'done', events: effect.events };
    });
  }

  /**
   * Joiner got `info`: secure our reply queue with the inviter's K2, send the signed hello, then
   * connected. Both IO steps are idempotent (same key → 204, same msgId → stored once).
   */
  private async completeHandshake(relay: string, d: RelayDelivery, conn: ConnectionEntity, ctx: Record<string, unknown>): Promise<AgentEvent[]> {
    const io = async () => {
      await this.relays.secureQueue(conn.rcvRelay!, conn.rcvRecipientId!, conn.peerSenderKey!);
      await this.channel.send(conn, outboundMsgId('hello', conn.rcvRecipientId!), { t: 'hello' });
    };
    let failed: string | null = null;
    try {
      await this.inline('handshake hello', io, { ...ctx, connId: conn.connId });
    } catch (err) {
      if (this.stopping.signal.aborted) throw err;
      failed = classifyError(err).message;
      this.logger.error({ ...ctx, connId: conn.connId, error: failed }, 'handshake refused by relay; connection stays joined');
    }
    const key = { relay, recipientId: d.recipientId, msgId: d.msgId };
    return this.inline(
      'complete handshake',
      () =>
        this.inbox.lockedForMessage(key, async (locked, entry, em) => {
          if (locked && !entry) throw new Error(`inbox row of ${d.msgId} is missing`);
          if (entry?.status === 'complete') return entry.events;
          let events: AgentEvent[] = [];
          if (locked && !failed && (locked.status === 'pending' || locked.status === 'joined')) {
            await this.connections.saveReceivedChanges(em, locked, { ...locked, status: 'connected' });
            const base = { userId: locked.userId, connId: locked.connId };
            events = [
              { type: 'INFO', eventId: inboundId(relay, d, 'INFO'), ...base, connInfo: locked.peerConnInfo ?? '' },
              { type: 'CON', eventId: inboundId(relay, d, 'CON'), ...base },
            ];
          }
          await this.inbox.complete(em, key, events);
          return events;
        }),
      ctx,
    );
  }
}

const inboundId = (relay: string, d: RelayDelivery, type: string) => inboundEventId(relay, d.recipientId, d.msgId, type);
