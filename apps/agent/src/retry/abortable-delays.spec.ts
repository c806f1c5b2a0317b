import { getEventListeners } from 'node:events';
import { delaysOf } from './abortable-delays';

describe('AbortableDelays', () => {
  it('keeps one abort listener on the signal however many delays wait on it, and no warning is raised', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const stopping = new AbortController();
    try {
      const waits = Array.from({ length: 50 }, () => delaysOf(stopping.signal).wait(10));

      expect(getEventListeners(stopping.signal, 'abort')).toHaveLength(1);
      await Promise.all(waits);
      // Emitted on the next tick after the listener that crossed the limit.
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('wakes every waiting delay at once when the signal aborts, with its reason', async () => {
    const stopping = new AbortController();
    const started = Date.now();
    const waits = Array.from({ length: 20 }, () => delaysOf(stopping.signal).wait(60_000));

    stopping.abort(new Error('shutting down'));

    const outcomes = await Promise.allSettled(waits);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'shutting down')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects at once on a signal that has aborted already', async () => {
    const stopping = new AbortController();
    stopping.abort();
    await expect(delaysOf(stopping.signal).wait(60_000)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
