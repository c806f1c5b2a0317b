import type { JobsOptions } from 'bullmq';
import { EVENT_BACKOFF_TYPE, EVENT_MAX_ATTEMPTS, EVENT_RETRY_BASE_MS } from './event-backoff';

/**
 * Completed jobs are kept for a while so a re-enqueue with the same job id is deduplicated by
 * BullMQ; after that, the Postgres rows (agent commands by corrId, chat commands and inbox) are
 * what guarantees exactly-once. Failed jobs are kept longer for Bull Board.
 * attempts: 1 — retries are the agent's own policy (RetryPolicy), not BullMQ's, so a producer
 * cannot change how hard the agent tries.
 */
export const CONTRACT_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 3_600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 20_000 },
};

/**
 * Event jobs are retried by BullMQ when the chat's handler throws (e.g. Postgres briefly down), with
 * the capped backoff of event-backoff.ts; the worker must carry `eventBackoffStrategy` in its
 * settings (RESILIENT_WORKER_OPTIONS does).
 */
export const EVENT_JOB_OPTIONS: JobsOptions = {
  ...CONTRACT_JOB_OPTIONS,
  attempts: EVENT_MAX_ATTEMPTS,
  backoff: { type: EVENT_BACKOFF_TYPE, delay: EVENT_RETRY_BASE_MS },
};
