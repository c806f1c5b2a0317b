/**
 * Polls `probe` until it returns a truthy value (or resolves without throwing when it returns
 * nothing), failing after `timeoutMs` with the last reason: what is still pending. No sleeps stand
 * in for synchronisation; this is the only waiting primitive the tests use.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Exclude<T, false | null | undefined>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastReason = 'condition never held';
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
      lastReason = `probe returned ${String(value)}`;
    } catch (err) {
      lastReason = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`still pending after ${timeoutMs} ms${opts.what ? ` (${opts.what})` : ''}: ${lastReason}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
