import { ServiceSpec } from './launch-plan';

const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;

async function answersHealthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Polls `/health` of one service until it answers 200 or `cancelled()` says to give up (the
 * launcher is stopping). Returns whether it became healthy.
 */
export async function waitHealthy(spec: ServiceSpec, cancelled: () => boolean): Promise<boolean> {
  while (!cancelled()) {
    if (await answersHealthy(spec.port)) return true;
    await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
  }
  return false;
}
