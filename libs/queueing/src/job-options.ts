import type { JobsOptions } from 'bullmq';

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

/** Event jobs are retried by BullMQ when the chat's handler throws (e.g. Postgres briefly down). */
export const EVENT_JOB_OPTIONS: JobsOptions = {
  ...CONTRACT_JOB_OPTIONS,
  attempts: 1_000_000,
  backoff: { type: 'exponential', delay: 200 },
};
