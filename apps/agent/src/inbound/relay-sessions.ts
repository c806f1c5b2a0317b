import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { AgentMetrics } from '../metrics/agent-metrics';
import { RelayClient } from '../relay/relay-client';
import { RelayHttpError } from '../relay/relay-http-error';
import { classifyError } from '../retry/error-classification';
import { RetryPolicy } from '../retry/retry-policy';
import { AGENT_LEASE_MS, AgentMembership } from './agent-membership';
import { INBOUND_MAX_BUFFERED, InboundProcessor } from './inbound-processor';
import { idleSession, OwnedQueueSubscriber, RelaySession as Session } from './owned-queue-subscriber';
import { RelayDelivery } from './relay-delivery';
import { SseParser } from './sse-parser';

/** The relay pings every 5 s; three missed pings mean the stream is dead even if the socket is not. */
export const STREAM_SILENCE_MS = 15_000;
/**
 * How often each session picks up queues it owns but has not subscribed: those another agent
 * created lately (commands run on any agent; an index-served read of the rows changed since the
 * last pass), and every SWEEP_FULL_EVERY-th time all of them. A full pass reads the stored queues
 * of the owner buckets this agent holds only (each agent its share, so a second agent adds no
 * reads), when a session opens, when the live agents change (rebalance) and at this safety
 * interval, for anything a recent pass could still miss. The interval stays 30 s: with 10 min, two
 * CI runs of four and one full suite of two stalled a set-up for minutes (docs/scaling.md item 1);
 * whatever the safety pass catches there is not found yet, and until it is, it must stay cheap to hit.
 */
export const OWNERSHIP_SWEEP_MS = 1_000;
export const FULL_SWEEP_MS = 30_000;
const SWEEP_FULL_EVERY = FULL_SWEEP_MS / OWNERSHIP_SWEEP_MS;

/**
 * One SSE stream per relay for this agent process. A receive queue is subscribed by exactly one
 * live agent: its owner by rendezvous hashing over the live agents (AgentMembership); the relay's
 * latest subscriber takes a queue over, so an owner's subscribe moves it from whoever held it.
 * Each new session subscribes the queues we own on that relay (the relay forgets subscriptions
 * with the stream); when the live set changes every session re-subscribes what it now owns, once
 * at once and once more a lease later (other agents see the change up to a heartbeat apart, and a
 * subscribe of theirs based on the old view may land after ours); new queues created by a command
 * are subscribed at once by their owner if that is us, or by the owner's next sweep.
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
    private readonly inbound: InboundProcessor,
    private readonly membership: AgentMembership,
    private readonly subscriber: OwnedQueueSubscriber,
    metrics: AgentMetrics,
  ) {
    const sessions = this.sessions;
    new Gauge({
      name: 'gc_agent_subscribed_queues',
      help: 'Receive queues this agent holds subscribed on each relay (the ones it owns among the live agents)',
      labelNames: ['relay'] as const,
      registers: [metrics.registry],
      collect() {
        for (const [relay, s] of sessions) this.set({ relay }, s.sessionId ? s.subscribed.size : 0);
      },
    });
    const processor = this.inbound;
    new Gauge({
      name: 'gc_agent_inbound_buffered',
      help: `Relay messages received and not yet processed (the stream is not read past ${INBOUND_MAX_BUFFERED})`,
      registers: [metrics.registry],
      collect() {
        this.set(processor.bufferedNow());
      },
    });
    new Gauge({
      name: 'gc_agent_inbound_buffered_peak',
      help: 'The most relay messages received and not yet processed at once since the agent started',
      registers: [metrics.registry],
      collect() {
        this.set(processor.bufferedPeak());
      },
    });
    new Gauge({
      name: 'gc_agent_live_agents',
      help: 'Live agents (unlapsed leases) as this agent last read them',
      registers: [metrics.registry],
      collect() {
        this.set(membership.liveAgents().length);
      },
    });
  }

  private sweeper: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private sweeps = 0;

  onApplicationBootstrap(): void {
    this.membership.onChange(() => this.rebalance());
    this.loops = this.config.RELAY_URLS.map((relay) => this.run(relay));
    this.sweeper = setInterval(() => this.sweep(), OWNERSHIP_SWEEP_MS);
  }

  /** The live set changed: every session re-subscribes what it owns now, and again a lease later. */
  private rebalance(): void {
    const resubscribe = () => {
      for (const [relay, session] of this.sessions) {
        if (!session.sessionId) continue;
        session.subscribed.clear();
        this.subscriber.enqueue(relay, session, 'all');
      }
    };
    resubscribe();
    clearTimeout(this.settle);
    this.settle = setTimeout(resubscribe, AGENT_LEASE_MS);
  }

  private sweep(): void {
    const scope = ++this.sweeps % SWEEP_FULL_EVERY === 0 ? 'safety' : 'recent';
    for (const [relay, session] of this.sessions) if (session.sessionId) this.subscriber.enqueue(relay, session, scope, true);
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
    // Another agent's queue: its owner's next sweep subscribes it (and takes it from our session if
    // the create named it).
    if (!session?.sessionId || !this.membership.owns(recipientId)) return;
    if (session.sessionId === subscribedOn) {
      session.subscribed.add(recipientId);
      return;
    }
    try {
      await this.relays.subscribe(relay, session.sessionId, [recipientId]);
      session.subscribed.add(recipientId);
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
    clearInterval(this.sweeper);
    clearTimeout(this.settle);
    for (const s of this.sessions.values()) s.abort.abort();
    await Promise.allSettled(this.loops);
    await this.inbound.drain();
  }

  private async run(relay: string): Promise<void> {
    // Subscribing before we know the other agents would take their queues from them.
    await this.membership.ready();
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      const session: Session = idleSession();
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
            this.subscriber.enqueue(relay, session, 'all');
          } else if (event.event === 'message') {
            // Backpressure: while the inbound buffer is full, neither this chunk's next message is
            // taken nor the stream read, so TCP holds the rest at the relay. The silence is ours,
            // not the relay's, so the watchdog is kept quiet meanwhile.
            while (this.inbound.isFull() && !session.abort.signal.aborted) {
              await this.inbound.whenRoom(STREAM_SILENCE_MS / 3);
              watchdog.refresh();
            }
            if (session.abort.signal.aborted) return;
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
}


function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
