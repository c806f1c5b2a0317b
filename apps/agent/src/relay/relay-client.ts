import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RecipientStatement, RelayOperation } from '@gc/contracts';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { connHash } from '../protocol/derived-ids';
import { SigningKeyPair, signBody } from '../protocol/signing-key';
import { exchange, HedgeBudget, HttpAnswer, KeepAlivePool } from './http-exchange';
import { RecipientKeyring, signWith } from './recipient-keyring';
import { RelayBatcher } from './relay-batcher';
import { OPERATION_NAMES, RouteRequest } from './relay-operation';
import { RelayHttpError } from './relay-http-error';
import { RelayUnreachable } from './relay-unreachable';

export interface CreatedQueue {
  recipientId: string;
  senderId: string;
  /** True when the relay also subscribed the queue to the session named in the create. */
  subscribed?: boolean;
}

/**
 * HTTP client of the relay API (docs/architecture.md "Relay HTTP API"), over keep-alive sockets
 * (as many per relay as commands may run at once, twice that with hedging); every request has
 * RELAY_TIMEOUT_MS for the whole exchange, so a stalled relay is a transient failure. Every call is
 * idempotent on the relay's side (create by idempotencyKey, send deduplicated by msgId, secure with
 * the same key, ack, delete, subscribe: atomic scripts there), so the caller may repeat any of them,
 * and a request still unanswered after RELAY_HEDGE_MS is sent once more (hedged) on another socket,
 * and one that failed fast is sent again FAILED_REQUEST_PAUSE_MS after (http-exchange.ts).
 * Queue operations submitted for one relay at the same time go as one POST /batch (RelayBatcher,
 * RELAY_BATCH_MAX_OPS), each answering as its own request would.
 * Every recipient operation is signed with the queue's recipient key (the relay trust model, docs/security.md), looked up in the
 * RecipientKeyring, so callers name a queue by relay and recipient id only.
 */
@Injectable()
export class RelayClient implements OnApplicationShutdown {
  private readonly pool: KeepAlivePool;
  private readonly budgets = new Map<string, HedgeBudget>();
  private readonly batcher: RelayBatcher;

  constructor(
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    private readonly keyring: RecipientKeyring,
  ) {
    // At most one hedge per request: room for every command's request and its hedge at once.
    this.pool = new KeepAlivePool(config.AGENT_CONCURRENCY * (config.RELAY_HEDGE_MS > 0 ? 2 : 1));
    this.batcher = new RelayBatcher((relay, request) => this.exchangeWith(relay, request), {
      maxOps: config.RELAY_BATCH_MAX_OPS,
      maxBytes: RELAY_BATCH_MAX_BYTES,
    });
  }

  /**
   * Hedges in flight per relay: half the worker's concurrency (16 at the default 32) — a bound on the
   * extra load when every request is late because the machine is overloaded. Measured with 10 members
   * at 30% faults (`--quick --only=convergence --groups=10 --faults=0.3`): a cap of 4 took 22.8–33.4 s
   * (received messages' inline steps hedge too), 16 took 17.3–18.3 s, like no cap (16.2–25.9 s).
   */
  private budgetOf(relay: string): HedgeBudget {
    let budget = this.budgets.get(relay);
    if (!budget) {
      budget = new HedgeBudget(Math.max(2, Math.ceil(this.config.AGENT_CONCURRENCY / 2)));
      this.budgets.set(relay, budget);
    }
    return budget;
  }

  onApplicationShutdown(): void {
    this.pool.destroy();
  }

  get relays(): readonly string[] {
    return this.config.RELAY_URLS;
  }

  /** Spreads new queues over the relays; the attempt shifts the pick, so a retry may try another relay. */
  pickRelay(connId: string, attempt: number): string {
    const n = this.config.RELAY_URLS.length;
    return this.config.RELAY_URLS[(connHash(connId) + attempt) % n];
  }

  /**
   * A queue owned by `recipientKey` (the create is signed with it, and the relay scopes the
   * idempotency key to it). With a sessionId, the relay subscribes the new queue to that stream in
   * the same request.
   */
  async createQueue(relay: string, recipientKey: SigningKeyPair, idempotencyKey: string, sessionId?: string): Promise<CreatedQueue> {
    const body = JSON.stringify({ recipientKey: recipientKey.publicKey, idempotencyKey, sessionId });
    const created = (await this.perform(relay, { op: 'create', body, signature: signBody(recipientKey.privateKey, body) })) as CreatedQueue;
    this.keyring.remember(relay, created.recipientId, recipientKey.privateKey);
    return created;
  }

  async secureQueue(relay: string, recipientId: string, senderKey: string): Promise<void> {
    const signature = await this.keyring.sign(relay, recipientId, RecipientStatement.secure(recipientId, senderKey));
    await this.perform(relay, { op: 'secure', recipientId, body: JSON.stringify({ senderKey }), signature });
  }

  /** Signed when a key is given (required once the peer secured its queue). */
  async send(relay: string, senderId: string, msgId: string, body: string, privateKey?: string): Promise<void> {
    const raw = JSON.stringify({ msgId, body });
    await this.perform(relay, { op: 'send', senderId, body: raw, signature: privateKey ? signBody(privateKey, raw) : undefined });
  }

  async ack(relay: string, recipientId: string, msgId: string): Promise<void> {
    const signature = await this.keyring.sign(relay, recipientId, RecipientStatement.ack(recipientId, msgId));
    await this.perform(relay, { op: 'ack', recipientId, msgId, signature });
  }

  /** A queue that is already gone counts as deleted. */
  async deleteQueue(relay: string, recipientId: string): Promise<void> {
    const signature = await this.keyring.sign(relay, recipientId, RecipientStatement.delete(recipientId));
    try {
      await this.perform(relay, { op: 'delete', recipientId, signature });
    } catch (err) {
      if (err instanceof RelayHttpError && err.status === 404) return;
      throw err;
    }
  }

  /**
   * Each queue signed for this session; queues we hold no key for are left out (counted as unknown).
   * In requests of at most SUBSCRIBE_REQUEST_IDS: a relay parses at most its message size (plus an
   * envelope) of JSON per request, and 1,000 signed ids (~146 KB) were past the default 132 KB — an agent
   * restarted with 10,000 connections got 413 on every pass and reconnected in a loop (the bench's
   * recovery run, 7.7 s instead of 2 s to the next command).
   */
  async subscribe(relay: string, sessionId: string, recipientIds: string[]): Promise<{ subscribed: number; unknown: string[] }> {
    let subscribed = 0;
    const unknown: string[] = [];
    for (const ids of chunksOf(recipientIds, SUBSCRIBE_REQUEST_IDS)) {
      const answer = await this.subscribeOnce(relay, sessionId, ids);
      subscribed += answer.subscribed;
      unknown.push(...answer.unknown);
    }
    return { subscribed, unknown };
  }

  private async subscribeOnce(relay: string, sessionId: string, recipientIds: string[]): Promise<{ subscribed: number; unknown: string[] }> {
    const keys = await this.keyring.keysOf(relay, recipientIds);
    const subscriptions = recipientIds.flatMap((recipientId) => {
      const key = keys.get(recipientId);
      return key ? [{ recipientId, signature: signWith(key, RecipientStatement.subscribe(sessionId, recipientId)) }] : [];
    });
    const unsigned = recipientIds.filter((rid) => !keys.has(rid));
    const path = `/sessions/${encodeURIComponent(sessionId)}/subscriptions`;
    const request = { method: 'POST', path, body: JSON.stringify({ subscriptions }), headers: JSON_CONTENT };
    const answer = (await this.answerOf(relay, 'subscribe', this.exchangeWith(relay, request))) as {
      subscribed: number;
      unknown: string[];
      refused?: string[];
    };
    return { subscribed: answer.subscribed, unknown: [...answer.unknown, ...(answer.refused ?? []), ...unsigned] };
  }

  async isHealthy(relay: string): Promise<boolean> {
    try {
      const res = await fetch(`${relay}/health`, { signal: AbortSignal.timeout(this.config.RELAY_TIMEOUT_MS) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** The SSE stream (never hedged: a second stream would be a second session); no timeout here (it lives long), the caller aborts it when pings stop. */
  async openStream(relay: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let res: Response;
    try {
      res = await fetch(`${relay}/sessions/stream`, { headers: { accept: 'text/event-stream' }, signal });
    } catch (err) {
      throw new RelayUnreachable(relay, 'open stream', err);
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new RelayHttpError(relay, res.status, 'open stream', text);
    }
    return res.body;
  }

  /**
   * A queue operation, alone or in a POST /batch with others submitted for the same relay at the
   * same time (RelayBatcher); it answers, or fails, as its own route would.
   */
  private perform(relay: string, op: RelayOperation): Promise<unknown> {
    return this.answerOf(relay, OPERATION_NAMES[op.op], this.batcher.submit(relay, op));
  }

  /** No answer is RelayUnreachable, a non-2xx one RelayHttpError; a 2xx one is its parsed body. */
  private async answerOf(relay: string, operation: string, answer: Promise<HttpAnswer>): Promise<unknown> {
    let res: HttpAnswer;
    try {
      res = await answer;
    } catch (err) {
      throw new RelayUnreachable(relay, operation, err);
    }
    if (res.status < 200 || res.status >= 300) throw new RelayHttpError(relay, res.status, operation, res.text);
    return res.text.length > 0 ? JSON.parse(res.text) : undefined;
  }

  private exchangeWith(relay: string, request: RouteRequest): Promise<HttpAnswer> {
    const { method, body, headers } = request;
    return exchange(this.pool, `${relay}${request.path}`, {
      method,
      body,
      headers: body !== undefined ? { ...JSON_CONTENT, ...headers } : headers,
      timeoutMs: this.config.RELAY_TIMEOUT_MS,
      hedgeMs: this.config.RELAY_HEDGE_MS,
      budget: this.budgetOf(relay),
    });
  }
}

const JSON_CONTENT = { 'content-type': 'application/json' };

/**
 * Bytes of operation bodies per POST /batch: far under a relay's smallest request limit with the
 * default RELAY_MAX_MESSAGE_BYTES (128 KiB + envelope), so only a big message goes alone. A relay
 * configured smaller answers 413 and the batch's operations are sent alone (RelayBatcher).
 */
export const RELAY_BATCH_MAX_BYTES = 32 * 1024;

/** Ids per subscribe request: ~37 KB of JSON with our ids, well under a relay's smallest sane body limit. */
export const SUBSCRIBE_REQUEST_IDS = 250;

/** `items` in consecutive runs of at most `size`, in order. */
function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
