/** Sum of every sample of `metric` (any labels) in a Prometheus text exposition; 0 when absent. */
export function sumOfMetric(text: string, metric: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** GET <url>/metrics and sum one metric; undefined when the service does not answer. */
export async function scrapeSum(baseUrl: string, metric: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) return undefined;
    return sumOfMetric(await res.text(), metric);
  } catch {
    return undefined;
  }
}
