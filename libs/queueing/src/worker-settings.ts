import type { WorkerOptions } from 'bullmq';
import { eventBackoffStrategy } from './event-backoff';

/**
 * BullMQ's defaults (30 s lock, 30 s stalled check, maxStalledCount 1) would leave a command of a
 * killed worker untouched for up to a minute, and fail it outright if its worker died twice.
 * A short lock (renewed every lockDuration/2) and a 1 s stalled check bring a killed worker's jobs
 * back within ~5 s; a huge maxStalledCount means a crash never fails a command.
 */
export const WORKER_LOCK_DURATION_MS = 4_000;
export const WORKER_STALLED_INTERVAL_MS = 1_000;
export const WORKER_MAX_STALLED_COUNT = 1_000_000;

export const RESILIENT_WORKER_OPTIONS: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'settings'> = {
  lockDuration: WORKER_LOCK_DURATION_MS,
  stalledInterval: WORKER_STALLED_INTERVAL_MS,
  maxStalledCount: WORKER_MAX_STALLED_COUNT,
  // The retry delay of a failed event job is computed by the worker that ran it (BullMQ looks a
  // custom backoff type up in the worker's settings), so every worker carries the strategy.
  settings: { backoffStrategy: eventBackoffStrategy },
};
