import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** The machine line of the report: cores (nproc), CPU model, memory (free -g), node. */
export function describeMachine(): string {
  const nproc = safe(() => execSync('nproc').toString().trim(), String(cpus().length));
  const model = cpus()[0]?.model ?? 'unknown CPU';
  const memGb = safe(() => /Mem:\s+(\d+)/.exec(execSync('free -g').toString())![1], String(Math.round(totalmem() / 2 ** 30)));
  const load = safe(() => execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' '), '?');
  return `${nproc} cores (${model}), ${memGb} GB RAM, node ${process.version}, load average at start ${load}`;
}

function safe(f: () => string, fallback: string): string {
  try {
    return f();
  } catch {
    return fallback;
  }
}
