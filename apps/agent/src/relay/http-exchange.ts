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
 * Requests one exchange sends at most: the first and three more, each a hedge beside a late request or
 * the replacement of a failed or abandoned one. Never more than two in flight at once.
 */
export const MAX_EXCHANGE_REQUESTS = 4;

/**
 * A request that failed fast with nothing else out is replaced this long after (or at its hedge time,
 * when sooner): a failure is a clear signal, lateness is not, so it need not wait out the hedge delay;
 * the short pause spaces the (at most MAX_EXCHANGE_REQUESTS) requests to a relay that refuses them all.
 */
export const FAILED_REQUEST_PAUSE_MS = 50;

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
 * socket); a 5xx, like a network error, may be luck, so another request may do better.
 */
function isDecisive(outcome: Outcome): boolean {
  return outcome.answer !== undefined && outcome.answer.status < 500;
}

/**
 * A refused connection says nothing listens there (a relay stopped or restarting): a request again
 * within the hedge delay would meet the same, so the caller's retry policy (its backoff) decides.
 */
function isRefusal(outcome: Outcome): boolean {
  return (outcome.error as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}

/**
 * One HTTP request with its whole answer read, over node:http rather than fetch: on a hot path
 * fetch's per-request streams and AbortSignal.timeout cost more CPU than the request itself. One
 * timer bounds the whole exchange; any failure without a complete answer rejects with its cause.
 *
 * Hedging (only for requests the server treats idempotently), at most MAX_EXCHANGE_REQUESTS requests
 * and two in flight; every `hedgeMs` without a decisive answer one more request goes:
 * - beside a lone late request, a hedge: the same request on another socket; the first decisive answer
 *   wins and the other request is destroyed, freeing its socket. This cuts the tail of a server that
 *   holds a request (a stall): one hedge delay instead of the whole timeout plus a retry delay;
 * - when both requests out are late, in place of the older one, which is abandoned (destroyed): two
 *   stalls in a row otherwise waited out the whole timeout — at a relay failing 30% of requests (a
 *   third each 503, reset, stall) the commonest way left for an exchange to time out;
 * - after a request that failed fast with nothing else out (a 503, a reset), its replacement, sooner:
 *   FAILED_REQUEST_PAUSE_MS after the failure. A fifth of all exchanges at that relay, each otherwise
 *   a job retry — its backoff (≥ 0.5 s), a fresh pick-up and the journal's re-reads.
 * A request that fails while another is still out is replaced at once. A refused connection is not
 * replaced (nothing listens there). A second request in flight takes the relay's hedge budget; without
 * room a late request waits out the timeout, as without hedging. It fails when no request may follow
 * the last failure, or at the timeout.
 */
export function exchange(pool: KeepAlivePool, url: string, opts: ExchangeOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const started = Date.now();
    const hedgeMs = opts.hedgeMs ?? 0;
    const attempts: Attempt[] = [];
    let settled = false;
    let budgeted = false;
    let timer: NodeJS.Timeout;
    let hedgeArmed = false;
    let hedgeAt = 0;

    const inFlight = () => attempts.filter((a) => !a.finished).length;
    const publish = (outcome: HedgeEvent['outcome']) => {
      if (hedgeChannel.hasSubscribers) hedgeChannel.publish({ url, outcome } satisfies HedgeEvent);
    };

    const settle = (outcome: Outcome, winner?: Attempt) => {
      settled = true;
      clearTimeout(timer);
      if (budgeted) opts.budget?.release();
      // A request still in flight holds a socket (a stalled one until the server gives up): free it.
      for (const attempt of attempts) if (attempt !== winner && !attempt.finished) abandon(attempt);
      if (outcome.answer !== undefined) resolve(outcome.answer);
      else reject(outcome.error);
    };

    const abandon = (attempt: Attempt) => {
      attempt.finished = true;
      attempt.req.destroy();
    };

    const timeout = () => settle({ error: new ExchangeTimeout(opts.timeoutMs) });

    /** The one timer: the next hedge time while another request may still go, else the timeout. */
    const arm = (mayHedge = true) => {
      clearTimeout(timer);
      const remaining = opts.timeoutMs - (Date.now() - started);
      hedgeArmed = mayHedge && hedgeMs > 0 && remaining > hedgeMs && attempts.length < MAX_EXCHANGE_REQUESTS;
      hedgeAt = Date.now() + hedgeMs;
      timer = hedgeArmed ? setTimeout(hedge, hedgeMs) : setTimeout(timeout, Math.max(0, remaining));
    };

    const sendAnother = (): boolean => {
      // Only a second request in flight is extra load (the budget's concern); a replacement of a failed
      // request, or of an abandoned one, keeps the count where it was.
      if (inFlight() > 0 && !budgeted) {
        if (opts.budget && !opts.budget.tryAcquire()) return false; // over budget: as without hedging
        budgeted = true;
      }
      attempts.push(send(pool, url, opts, done));
      publish('sent');
      return true;
    };

    const hedge = () => {
      hedgeArmed = false;
      // Both out are late: the older makes room (a budget is held already, so the new one goes).
      if (inFlight() >= 2) abandon(attempts.find((a) => !a.finished)!);
      // Over budget (only possible beside a request in flight): it waits out the timeout, as without hedging.
      arm(sendAnother());
    };

    const done = (attempt: Attempt, outcome: Outcome) => {
      if (settled) return;
      if (isDecisive(outcome)) {
        if (attempt !== attempts[0]) publish('won');
        return settle(outcome, attempt);
      }
      if (inFlight() > 0) {
        // The other request may still answer; a fresh one goes beside it in place of the failed one.
        if (attempts.length < MAX_EXCHANGE_REQUESTS) sendAnother();
        return arm();
      }
      // Nothing else out: replaced after a pause (the hedge time at the latest), unless nothing may follow.
      const remaining = opts.timeoutMs - (Date.now() - started);
      if (hedgeMs > 0 && attempts.length < MAX_EXCHANGE_REQUESTS && remaining > hedgeMs && !isRefusal(outcome)) {
        const pause = hedgeArmed ? Math.min(hedgeAt - Date.now(), FAILED_REQUEST_PAUSE_MS) : FAILED_REQUEST_PAUSE_MS;
        clearTimeout(timer);
        hedgeArmed = true;
        timer = setTimeout(hedge, Math.max(0, pause));
        return;
      }
      settle(outcome, attempt);
    };

    attempts.push(send(pool, url, opts, done));
    arm();
  });
}
