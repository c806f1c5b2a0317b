import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { RelayClient } from '../relay/relay-client';
import { RelayHttpError } from '../relay/relay-http-error';
import { classifyError } from '../retry/error-classification';
import { retryInline } from '../retry/inline-retry';
import { RetryPolicy } from '../retry/retry-policy';
import { InboundProcessor } from './inbound-processor';
import { RelayDelivery } from './relay-delivery';
import { SseParser } from './sse-parser';

/** The relay pings every 5 s; three missed pings mean the stream is dead even if the socket is not. */
export const STREAM_SILENCE_MS = 15_000;
const SUBSCRIBE_BATCH = 1_000;

interface Session {
  abort: AbortController;
  sessionId: string | null;
}

/**
 * One SSE stream per relay for this agent process. Each new session subscribes every receive queue
 * of our non-deleted connections on that relay (the relay forgets subscriptions with the stream),
 * and new queues are added to the live session as commands create them.
 */
@Injectable()
export class RelaySessions implements OnApplicationBootstrap {
  private readonly logger = new Logger(RelaySessions.name);
  private readonly sessions = new Map<string, Session>();
  private readonly stopping = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    private readonly relays: RelayClient,
    private readonly policy: RetryPolicy,
    private readonly dataSource: DataSource,
    private readonly inbound: InboundProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.loops = this.config.RELAY_URLS.map((relay) => this.run(relay));
  }

  isConnected(relay: string): boolean {
    return Boolean(this.sessions.get(relay)?.sessionId);
  }

  /** The live session on this relay, to name in a queue create (the relay then subscribes the queue). */
  sessionIdOf(relay: string): string | null {
    return this.sessions.get(relay)?.sessionId ?? null;
  }

  /**
   * Subscribes a queue a command just created and stored. Without a live session there is nothing
   * to do: the next session subscribes every queue stored by then, and the queue is stored already.
   * `subscribedOn` is the session the relay subscribed it to at create: while that session is still
   * the live one there is nothing to do either (a later one reads the queue from the store).
   */
  async subscribeNew(relay: string, recipientId: string, subscribedOn: string | null = null): Promise<void> {
    const session = this.sessions.get(relay);
    if (!session?.sessionId || session.sessionId === subscribedOn) return;
    try {
      await this.relays.subscribe(relay, session.sessionId, [recipientId]);
    } catch (err) {
      // The relay no longer knows the session (it restarted): a fresh stream resubscribes everything.
      if (err instanceof RelayHttpError && err.status >= 400 && err.status < 500) {
        session.abort.abort();
        return;
      }
      throw err;
    }
  }

  /** Closes the streams and waits for received messages being processed. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const s of this.sessions.values()) s.abort.abort();
    await Promise.allSettled(this.loops);
    await this.inbound.drain();
  }

  private async run(relay: string): Promise<void> {
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      const session: Session = { abort: new AbortController(), sessionId: null };
      this.sessions.set(relay, session);
      let failure = 'stream ended';
      try {
        await this.consume(relay, session, () => (attempt = 0));
      } catch (err) {
        failure = classifyError(err).message;
      } finally {
        session.sessionId = null;
        session.abort.abort();
      }
      if (this.stopping.signal.aborted) break;
      const delay = this.policy.delayMs(attempt++);
      this.logger.log({ relay, error: failure, attempt, delay }, 'relay stream reconnect');
      await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  private async consume(relay: string, session: Session, onSession: () => void): Promise<void> {
    // Armed before the stream opens: a relay that never answers the open counts as a silent stream.
    const watchdog = setTimeout(() => session.abort.abort(), STREAM_SILENCE_MS);
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      reader = (await this.relays.openStream(relay, session.abort.signal)).getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        watchdog.refresh();
        for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
          if (event.event === 'session') {
            session.sessionId = (JSON.parse(event.data) as { sessionId: string }).sessionId;
            onSession();
            this.logger.log({ relay, sessionId: session.sessionId }, 'relay stream open');
            void this.subscribeAll(relay, session).catch((err) => {
              if (session.abort.signal.aborted) return;
              this.logger.warn({ relay, error: classifyError(err).message }, 'resubscribe failed; reconnecting');
              session.abort.abort();
            });
          } else if (event.event === 'message') {
            const delivery = RelayDelivery.safeParse(parseJson(event.data));
            if (delivery.success) this.inbound.accept(relay, delivery.data);
            else this.logger.warn({ relay, data: event.data.slice(0, 200) }, 'unreadable relay message');
          }
        }
      }
    } finally {
      clearTimeout(watchdog);
      reader?.releaseLock();
    }
  }

  /** Every receive queue of our live connections on this relay, in batches the relay accepts. */
  private async subscribeAll(relay: string, session: Session): Promise<void> {
    const sessionId = session.sessionId!;
    let after = '';
    let total = 0;
    for (;;) {
      const rows: Array<{ rcv_recipient_id: string }> = await this.dataSource.query(
        `SELECT rcv_recipient_id FROM "agent"."connections"
          WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted' AND rcv_recipient_id > $2
          ORDER BY rcv_recipient_id LIMIT ${SUBSCRIBE_BATCH}`,
        [relay, after],
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.rcv_recipient_id);
      await retryInline(() => this.relays.subscribe(relay, sessionId, ids), {
        policy: this.policy,
        signal: session.abort.signal,
        logger: this.logger,
        what: 'subscribe',
        context: { relay },
      });
      total += ids.length;
      after = ids[ids.length - 1];
      if (rows.length < SUBSCRIBE_BATCH) break;
    }
    this.logger.log({ relay, sessionId, queues: total }, 'relay queues subscribed');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
