import type { MinimalJob } from 'bullmq';

/**
 * Retries of an `agent-events` job whose handler threw. Two kinds of failure, two answers:
 * - the infrastructure was away (Postgres down or frozen, a terminated connection, a deadlock, a
 *   lock or statement timeout, Redis away): retried for as long as it takes — giving up would lose
 *   the event's effect — but never waiting more than EVENT_RETRY_MAX_MS between tries, so after an
 *   outage of any length every event is handled within ~15 s of its end (uncapped, 200 ms · 2ⁿ
 *   waited about as long again as the outage: ~55 min after 15 failures);
 * - anything else (a bug, a constraint the data breaks) will fail the same way every time: after
 *   EVENT_DETERMINISTIC_ATTEMPTS tries the job fails with its reason (BullMQ's `failed` state,
 *   Bull Board, `gc_queue_jobs{queue="agent-events",state="failed"}`), instead of 10⁶ silent retries.
 */
export const EVENT_BACKOFF_TYPE = 'capped-exponential';
export const EVENT_RETRY_BASE_MS = 200;
// 15 s, not 30: a job that failed just before an outage ended waits up to the cap, and the issue's
// bar is convergence within 30 s of the end; 10k stuck events retry at ~700/s during an outage.
export const EVENT_RETRY_MAX_MS = 15_000;
export const EVENT_DETERMINISTIC_ATTEMPTS = 10;
/** "Forever" for infrastructure failures: at the 15 s cap this is ~6 months. */
export const EVENT_MAX_ATTEMPTS = 1_000_000;

// SQLSTATE classes and codes that mean "try again later", not "this event is wrong":
// 08 connection exception, 53 insufficient resources, 57P0x shutdown/cannot connect now,
// 40001 serialization failure, 40P01 deadlock, 55P03 lock_not_available (lock_timeout),
// 57014 query_canceled (statement_timeout).
const TRANSIENT_SQLSTATE = /^(08|53|57P0)|^(40001|40P01|55P03|57014)$/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// pg, pg-pool, ioredis and our socket silence bounds say so in their messages only.
const TRANSIENT_MESSAGE =
  /Connection terminated|connection (is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|socket (silent|timeout)|Socket timeout|Command timed out|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|MaxRetriesPerRequestError|Reached the max retries/i;

/** True when the error says the infrastructure was away, so the same event may well succeed later. */
export function isTransientFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const o = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && (TRANSIENT_SQLSTATE.test(o.code) || TRANSIENT_NODE_CODES.has(o.code))) return true;
    if (typeof o.message === 'string' && TRANSIENT_MESSAGE.test(o.message)) return true;
    e = o.driverError ?? o.cause; // TypeORM's QueryFailedError wraps pg's error
  }
  return false;
}

/** Delay before attempt `attemptsMade + 1`: 200 ms · 2ⁿ⁻¹ with ±25 % jitter, capped at 15 s; -1 = fail now. */
export function eventRetryDelay(attemptsMade: number, err: unknown, random: () => number = Math.random): number {
  if (!isTransientFailure(err) && attemptsMade >= EVENT_DETERMINISTIC_ATTEMPTS) return -1;
  const exponential = Math.min(EVENT_RETRY_MAX_MS, EVENT_RETRY_BASE_MS * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 20));
  return Math.round(Math.min(EVENT_RETRY_MAX_MS, exponential * (0.75 + random() * 0.5)));
}

/** BullMQ's `settings.backoffStrategy` (a worker setting: the strategy runs where the job failed). */
export function eventBackoffStrategy(attemptsMade: number, _type?: string, err?: Error, _job?: MinimalJob): number {
  return eventRetryDelay(attemptsMade, err);
}
