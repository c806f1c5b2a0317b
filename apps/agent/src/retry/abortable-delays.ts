/**
 * Delays that end early when one AbortSignal aborts, all woken by a single 'abort' listener.
 *
 * `timers/promises` setTimeout given a signal adds its own listener for as long as it waits. The
 * inbound processor's inline retries all share the agent's one shutdown signal, so under relay
 * faults more than ten of them wait at once, and Node warns "MaxListenersExceededWarning: Possible
 * EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]" (issue 15, seen in
 * the demo). Raising the limit would hide a real leak next time; one listener per signal needs none.
 */
export class AbortableDelays {
  private readonly wakers = new Set<() => void>();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => [...this.wakers].forEach((wake) => wake()), { once: true });
  }

  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.signal.aborted) {
        reject(this.signal.reason);
        return;
      }
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        reject(this.signal.reason);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve();
      }, ms);
      this.wakers.add(wake);
    });
  }
}

const delaysBySignal = new WeakMap<AbortSignal, AbortableDelays>();

/** The one AbortableDelays of `signal` (made on first use; goes with the signal). */
export function delaysOf(signal: AbortSignal): AbortableDelays {
  let delays = delaysBySignal.get(signal);
  if (!delays) {
    delays = new AbortableDelays(signal);
    delaysBySignal.set(signal, delays);
  }
  return delays;
}
