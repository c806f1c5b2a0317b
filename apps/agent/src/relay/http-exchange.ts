import diagnostics from 'node:diagnostics_channel';
import { Agent as HttpAgent, ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface ExchangeOptions {
  method: string;
  body?: string;
  headers?: Record<string, string>;
  /** For the whole exchange, hedge included, from the first send. */
  timeoutMs: number;
  /** Without a complete answer after this long, the same request goes again on another socket; 0 = never. */
  hedgeMs?: number;
  /** Hedges allowed in flight at once (per relay); without one, every late request is hedged. */
  budget?: HedgeBudget;
}

/**
 * A cap on hedges in flight. Hedging cuts the tail of a request the server holds (a stall); when
 * *every* request is late because the whole machine is overloaded, unbounded hedges would add load
 * exactly then. With a cap, at most that many extra requests are in flight, and the rest wait as
 * without hedging.
 */
export class HedgeBudget {
  private inFlight = 0;

  constructor(readonly max: number) {}

  tryAcquire(): boolean {
    if (this.inFlight >= this.max) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
  }
}

/** No complete answer within the time allowed for the whole exchange (connect, response, body). */
export class ExchangeTimeout extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** What the hedge channel carries: a hedge was sent, or a hedge brought the answer (won). */
export interface HedgeEvent {
  url: string;
  outcome: 'sent' | 'won';
}

/**
 * Requests one exchange sends at most: the first, its hedge, and one replacement for whichever of those
 * fails while the other is still out. Never more than two in flight at once.
 */
export const MAX_EXCHANGE_REQUESTS = 3;

/** Hedges are published here so metrics can count them without code in the request path. */
export const HEDGE_CHANNEL = 'gc.agent.relay.hedge';
const hedgeChannel = diagnostics.channel(HEDGE_CHANNEL);

/** Keep-alive sockets shared by every request of this process; at most `maxSockets` per relay. */
export class KeepAlivePool {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(maxSockets: number) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

type Outcome = { answer: HttpAnswer; error?: undefined } | { error: Error; answer?: undefined };

/** One request on the wire; `done` is called at most once, when the answer is whole or the request failed. */
interface Attempt {
  req: ClientRequest;
  finished: boolean;
}

function send(pool: KeepAlivePool, url: string, opts: ExchangeOptions, done: (attempt: Attempt, outcome: Outcome) => void): Attempt {
  const https = url.startsWith('https:');
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
  const req = (https ? httpsRequest : httpRequest)(url, { method: opts.method, headers, agent: https ? pool.https : pool.http });
  const attempt: Attempt = { req, finished: false };
  const finish = (outcome: Outcome) => {
    if (attempt.finished) return;
    attempt.finished = true;
    done(attempt, outcome);
  };
  req.on('error', (error: Error) => finish({ error }));
  req.on('response', (res: IncomingMessage) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', (error: Error) => finish({ error }));
    res.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      finish({ answer: { status: res.statusCode ?? 0, text } });
    });
    // The socket closed before the body ended (a relay dropping it mid-answer).
    res.on('close', () => {
      if (!res.complete) finish({ error: Object.assign(new Error('socket closed before the answer ended'), { code: 'ECONNRESET' }) });
    });
  });
  req.end(opts.body);
  return attempt;
}

/**
 * A complete answer below 500 is the relay's word on the request (a 4xx would be the same on any
 * socket); a 5xx, like a network error, may be luck, so a hedge still in flight may do better.
 */
function isDecisive(outcome: Outcome): boolean {
  return outcome.answer !== undefined && outcome.answer.status < 500;
}

/**
 * One HTTP request with its whole answer read, over node:http rather than fetch: on a hot path
 * fetch's per-request streams and AbortSignal.timeout cost more CPU than the request itself. One
 * timer bounds the whole exchange; any failure without a complete answer rejects with its cause.
 *
 * Hedging (only for requests the server treats idempotently): when the first request has no complete
 * answer after `hedgeMs`, the same request is sent once more on another socket, and the first decisive
 * answer wins; the other request is destroyed, freeing its socket. This cuts the tail of a server that
 * holds a request: instead of the whole timeout plus a retry delay, one hedge delay. A failure before
 * the hedge is sent settles the exchange as without hedging (the caller's retry policy decides). After
 * it, one failure while the other request is still out is replaced at once by a fresh request
 * (MAX_EXCHANGE_REQUESTS in all): the stalled first + failed hedge case otherwise waited out the whole
 * timeout and then a retry — at a relay failing 30% of requests a third of them by stalling, ~3% of all
 * exchanges. The exchange fails when every request it may send has failed (with the last outcome) or
 * at the timeout.
 */
export function exchange(pool: KeepAlivePool, url: string, opts: ExchangeOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const attempts: Attempt[] = [];
    let settled = false;
    let hedged = false;

    const settle = (outcome: Outcome, winner?: Attempt) => {
      settled = true;
      clearTimeout(timer);
      if (hedged) opts.budget?.release();
      // A request still in flight holds a socket (a stalled one until the server gives up): free it.
      for (const attempt of attempts) {
        if (attempt !== winner && !attempt.finished) {
          attempt.finished = true;
          attempt.req.destroy();
        }
      }
      if (outcome.answer !== undefined) resolve(outcome.answer);
      else reject(outcome.error);
    };

    const done = (attempt: Attempt, outcome: Outcome) => {
      if (settled) return;
      const othersInFlight = attempts.some((a) => !a.finished);
      if (!hedged || isDecisive(outcome) || !othersInFlight) {
        if (hedged && attempt !== attempts[0] && isDecisive(outcome) && hedgeChannel.hasSubscribers) {
          hedgeChannel.publish({ url, outcome: 'won' } satisfies HedgeEvent);
        }
        settle(outcome, attempt);
        return;
      }
      // The other request may still answer; a fresh one goes beside it in place of the failed one.
      if (attempts.length < MAX_EXCHANGE_REQUESTS) {
        attempts.push(send(pool, url, opts, done));
        if (hedgeChannel.hasSubscribers) hedgeChannel.publish({ url, outcome: 'sent' } satisfies HedgeEvent);
      }
    };

    const timeout = () => settle({ error: new ExchangeTimeout(opts.timeoutMs) });
    const hedge = () => {
      // Still one timer at a time: the rest of the time allowed, from the first send.
      timer = setTimeout(timeout, opts.timeoutMs - hedgeMs);
      if (opts.budget && !opts.budget.tryAcquire()) return; // over budget: wait as without hedging
      hedged = true;
      attempts.push(send(pool, url, opts, done));
      if (hedgeChannel.hasSubscribers) hedgeChannel.publish({ url, outcome: 'sent' } satisfies HedgeEvent);
    };

    const hedgeMs = opts.hedgeMs ?? 0;
    let timer = hedgeMs > 0 && hedgeMs < opts.timeoutMs ? setTimeout(hedge, hedgeMs) : setTimeout(timeout, opts.timeoutMs);
    attempts.push(send(pool, url, opts, done));
  });
}
