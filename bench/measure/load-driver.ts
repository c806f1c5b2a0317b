import { CpuMeter } from './cpu-time';
import { eventually } from '../../test/support/eventually';

export interface ThroughputRun {
  commands: number;
  /** From the first request to the last completion seen. */
  seconds: number;
  perSecond: number;
  /** From the first request to the last 202: how fast commands are accepted. */
  acceptedPerSecond: number;
  /** CPU seconds per command, by process group, when the run was metered. */
  cpuMsPerCommand?: Record<string, number>;
}

/**
 * Closed loop: `concurrency` callers each send the next command as soon as their previous request
 * answered; the run ends when `completed()` reaches the target (polled every 10 ms).
 */
export async function driveThroughput(opts: {
  commands: number;
  concurrency: number;
  send: (i: number) => Promise<void>;
  completed: () => Promise<number>;
  timeoutMs?: number;
  cpu?: CpuMeter;
}): Promise<ThroughputRun> {
  const before = await opts.completed();
  await opts.cpu?.start();
  let next = 0;
  const started = performance.now();
  const caller = async () => {
    while (next < opts.commands) await opts.send(next++);
  };
  await Promise.all(Array.from({ length: opts.concurrency }, caller));
  const accepted = performance.now();
  await eventually(async () => (await opts.completed()) - before >= opts.commands, {
    timeoutMs: opts.timeoutMs ?? 300_000,
    intervalMs: 10,
    what: `${opts.commands} commands completed`,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = await opts.cpu?.stop();
  const cpuMsPerCommand = cpu && Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (v * 1000) / opts.commands]));
  return { commands: opts.commands, seconds, perSecond: opts.commands / seconds, acceptedPerSecond: opts.commands / ((accepted - started) / 1000), cpuMsPerCommand };
}

/** POSTs and expects 202, with a clear error otherwise; `token`: the bearer token of the path's user, if any. */
export async function post202(url: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST ${url}: expected 202, got ${res.status} ${text}`);
  return JSON.parse(text);
}
