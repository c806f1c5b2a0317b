/** V8 heap in use (MB) from an app's prom-client /metrics, or NaN when it has none. */
export async function heapUsedMb(baseUrl: string): Promise<number> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([\d.e+]+)/m.exec(await res.text());
    return m ? Number(m[1]) / 2 ** 20 : NaN;
  } catch {
    return NaN;
  }
}
