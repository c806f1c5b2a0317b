import { RELAY_BATCH_MAX_OPERATIONS, RelayOperation } from '@gc/contracts';
import diagnostics from 'node:diagnostics_channel';
import type { HttpAnswer } from './http-exchange';
import { RouteRequest, routeOf } from './relay-operation';

/** Sends one HTTP request to a relay with the client's timeout and hedging; rejects only without an answer. */
export type RelayTransport = (relay: string, request: RouteRequest) => Promise<HttpAnswer>;

export interface BatchSettings {
  /** Operations per POST /batch; 1 sends every operation alone. */
  maxOps: number;
  /** Bytes of operation bodies per batch; a bigger operation goes alone (counted as string length: our bodies are JSON of base64). */
  maxBytes: number;
}

/** A relay that did not take a batch is sent single requests for this long before one is tried again. */
export const UNBATCHED_FOR_MS = 60_000;
/** Relays remembered as not taking batches at most (they come from RELAY_URLS and validated invitations). */
const MAX_UNBATCHED = 1_000;

/** What the batch channel carries: one relay request made for `operations` queue operations (1 = alone). */
export interface BatchEvent {
  relay: string;
  operations: number;
}

/** Each request's operation count is published here, so metrics count batches without code in the request path. */
export const BATCH_CHANNEL = 'gc.agent.relay.batch';
const batchChannel = diagnostics.channel(BATCH_CHANNEL);

interface Pending {
  op: RelayOperation;
  bytes: number;
  resolve(answer: HttpAnswer): void;
  reject(err: unknown): void;
}

/**
 * Gathers the operations submitted for one relay in the same event-loop turn into one POST /batch
 * (SimpleX's SMP puts several commands in one transmission block). Nothing waits for a batch to
 * fill: the first operation of a turn schedules the send with setImmediate, so an operation alone
 * goes at once, by its own route, exactly as without batching; under load the agent's concurrent
 * commands reach a relay several per turn (2.2 on average per relay in the throughput bench), and
 * each HTTP exchange is a fixed cost on both sides (docs/benchmarks.md, the relay-requests probe).
 *
 * Every operation settles as it would have alone: with its own status and body from the batch's
 * results; with the batch's answer when that is a failure of the whole request (a 503, a 429 from
 * the rate limiter), or with the batch's transport error (reset, timeout), so the caller's error
 * map and retry policy see what they always saw. Relay operations are idempotent, so a batch may be
 * hedged or retried whole. A relay that does not take batches (404/405, or a 200 we cannot read:
 * an older or foreign relay) gets each operation alone, and single requests for UNBATCHED_FOR_MS;
 * one that refuses this batch's size (400/413) gets them alone.
 */
export class RelayBatcher {
  private readonly pending = new Map<string, Pending[]>();
  private readonly unbatchedUntil = new Map<string, number>();
  private readonly maxOps: number;

  constructor(
    private readonly transport: RelayTransport,
    private readonly settings: BatchSettings,
  ) {
    this.maxOps = Math.max(1, Math.min(settings.maxOps, RELAY_BATCH_MAX_OPERATIONS));
  }

  submit(relay: string, op: RelayOperation): Promise<HttpAnswer> {
    if (this.maxOps === 1) return this.send(relay, routeOf(op), 1);
    return new Promise<HttpAnswer>((resolve, reject) => {
      let queue = this.pending.get(relay);
      if (!queue) {
        queue = [];
        this.pending.set(relay, queue);
        setImmediate(() => this.flush(relay));
      }
      queue.push({ op, bytes: 'body' in op ? op.body.length : 0, resolve, reject });
    });
  }

  private flush(relay: string): void {
    const queue = this.pending.get(relay) ?? [];
    this.pending.delete(relay);
    const batching = (this.unbatchedUntil.get(relay) ?? 0) <= Date.now();
    let i = 0;
    while (i < queue.length) {
      const chunk = [queue[i++]];
      let bytes = chunk[0].bytes;
      while (batching && i < queue.length && chunk.length < this.maxOps && bytes + queue[i].bytes <= this.settings.maxBytes) {
        bytes += queue[i].bytes;
        chunk.push(queue[i++]);
      }
      if (chunk.length === 1) this.alone(relay, chunk[0]);
      else this.batch(relay, chunk);
    }
  }

  private send(relay: string, request: RouteRequest, operations: number): Promise<HttpAnswer> {
    if (batchChannel.hasSubscribers) batchChannel.publish({ relay, operations } satisfies BatchEvent);
    return this.transport(relay, request);
  }

  private alone(relay: string, item: Pending): void {
    this.send(relay, routeOf(item.op), 1).then(item.resolve, item.reject);
  }

  private batch(relay: string, chunk: Pending[]): void {
    const body = JSON.stringify({ ops: chunk.map((p) => p.op) });
    this.send(relay, { method: 'POST', path: '/batch', body }, chunk.length).then(
      (answer) => this.settle(relay, chunk, answer),
      (err: unknown) => {
        for (const item of chunk) item.reject(err);
      },
    );
  }

  private settle(relay: string, chunk: Pending[], answer: HttpAnswer): void {
    if (answer.status === 200) {
      const results = resultsOf(answer.text, chunk.length);
      if (results) {
        chunk.forEach((item, i) => item.resolve(results[i]));
        return;
      }
    }
    // No such route, or a 200 that is not our results: a relay that does not take batches.
    const takesNoBatches = answer.status === 200 || answer.status === 404 || answer.status === 405;
    if (takesNoBatches) {
      if (this.unbatchedUntil.size >= MAX_UNBATCHED) this.unbatchedUntil.clear();
      this.unbatchedUntil.set(relay, Date.now() + UNBATCHED_FOR_MS);
    }
    // The answer says nothing of the operations themselves (another 2xx, this batch refused): each goes alone.
    if (takesNoBatches || answer.status < 300 || answer.status === 400 || answer.status === 413) {
      for (const item of chunk) this.alone(relay, item);
      return;
    }
    // A failure of the whole request (503, 429, ...): each operation would have met it alone.
    for (const item of chunk) item.resolve(answer);
  }
}

/**
 * The batch's results as single answers, or null when they are not what we asked for: a relay
 * (possibly a foreign one, named by an invitation) answers what it likes, so its shape is checked.
 */
function resultsOf(text: string, expected: number): HttpAnswer[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const results = (parsed as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.length !== expected) return null;
  const answers: HttpAnswer[] = [];
  for (const result of results) {
    const status = (result as { status?: unknown } | null)?.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return null;
    const body = (result as { body?: unknown }).body;
    answers.push({ status, text: body === undefined ? '' : JSON.stringify(body) });
  }
  return answers;
}
