import { Inject, Injectable, Logger, OnApplicationShutdown, BeforeApplicationShutdown } from '@nestjs/common';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import type { Response } from 'express';
import { MessageArrivals } from '../queues/message-arrivals';
import { QueueStore } from '../queues/queue-store';
import { Session } from './session';

/**
 * Open streams and which session each queue is delivered to (the latest subscriber wins).
 * Messages are read back from Redis in seq order and pushed after the session's cursor, so a
 * message is pushed once per subscription and in order, and stays stored until acked.
 */
@Injectable()
export class SessionRegistry implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SessionRegistry.name);
  private readonly sessions = new Map<string, Session>();
  private readonly owners = new Map<string, Session>();

  constructor(
    private readonly store: QueueStore,
    arrivals: MessageArrivals,
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
  ) {
    arrivals.onStored((rid) => {
      const owner = this.owners.get(rid);
      if (owner) this.schedule(owner, rid, false);
    });
    arrivals.onDeleted((rid) => this.owners.delete(rid));
  }

  open(res: Response): Session {
    const session = new Session(res, this.config.bounds, (cut, reason) => this.logger.warn({ sessionId: cut.id, reason }, 'stream cut'));
    this.sessions.set(session.id, session);
    res.on('close', () => this.forget(session));
    session.event('session', { sessionId: session.id });
    return session;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  /** Takes the queues over for this session and pushes every unacked message of each, in order. */
  subscribe(session: Session, recipientIds: string[]): void {
    for (const rid of recipientIds) {
      this.owners.set(rid, session);
      this.schedule(session, rid, true);
    }
  }

  /** Subscribes one queue to a session that is still open; false when there is no such session. */
  subscribeIfOpen(sessionId: string, recipientId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session?.open) return false;
    this.subscribe(session, [recipientId]);
    return true;
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** Queues delivered to an open session: each to exactly one by construction (the latest subscriber). */
  get subscribedQueues(): number {
    return this.owners.size;
  }

  private schedule(session: Session, rid: string, fromStart: boolean): void {
    const previous = session.drains.get(rid) ?? Promise.resolve();
    const next = previous
      .then(() => {
        if (fromStart) session.cursors.set(rid, 0);
        return this.drain(session, rid);
      })
      .catch((err: unknown) => {
        // Redis failed mid-push: the messages stay stored; end the stream so the agent reconnects
        // and resubscribes rather than silently missing them.
        this.logger.warn({ err, sessionId: session.id, recipientId: rid }, 'push failed; closing stream');
        session.end();
      });
    session.drains.set(rid, next);
    void next.then(() => {
      if (session.drains.get(rid) === next) session.drains.delete(rid);
    });
  }

  private async drain(session: Session, rid: string): Promise<void> {
    for (;;) {
      if (!session.open || this.owners.get(rid) !== session) return;
      const { messages, lastSeq } = await this.store.messagesAfter(rid, session.cursors.get(rid) ?? 0);
      if (lastSeq === null) return;
      for (const m of messages) {
        if (!session.open || this.owners.get(rid) !== session) return;
        // Backpressure: never read ahead of what the subscriber's socket takes.
        if (!session.event('message', { recipientId: m.recipientId, msgId: m.msgId, body: m.body, sentAt: m.sentAt })) await session.writable();
      }
      session.cursors.set(rid, lastSeq);
    }
  }

  private forget(session: Session): void {
    session.stopPinging();
    this.sessions.delete(session.id);
    for (const [rid, owner] of this.owners) if (owner === session) this.owners.delete(rid);
  }

  /** Open streams would keep the HTTP server from closing. */
  beforeApplicationShutdown(): void {
    for (const session of this.sessions.values()) session.end();
  }

  onApplicationShutdown(): void {
    this.sessions.clear();
    this.owners.clear();
  }
}
