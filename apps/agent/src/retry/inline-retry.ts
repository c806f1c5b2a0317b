import { Logger } from '@nestjs/common';
import { delaysOf } from './abortable-delays';
import { classifyError } from './error-classification';
import { RetryPolicy } from './retry-policy';

/**
 * Runs `step` until it succeeds, waiting per the RetryPolicy between transient failures. Used for
 * IO outside a BullMQ job (handshake steps on a received message, acks, subscriptions), where there
 * is no job to move to delayed. A permanent error, or `signal` aborting (shutdown), ends it.
 */
export async function retryInline<T>(
  step: () => Promise<T>,
  opts: { policy: RetryPolicy; signal: AbortSignal; logger: Logger; what: string; context?: Record<string, unknown> },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    opts.signal.throwIfAborted();
    try {
      return await step();
    } catch (err) {
      const cls = classifyError(err);
      if (cls.kind === 'permanent' || opts.signal.aborted) throw err;
      const delay = opts.policy.delayMs(attempt);
      opts.logger.log({ ...opts.context, what: opts.what, attempt: attempt + 1, error: cls.message, delay }, 'inline retry');
      // Not timers/promises with the signal: many retries wait on one shutdown signal at once.
      await delaysOf(opts.signal).wait(delay);
    }
  }
}
