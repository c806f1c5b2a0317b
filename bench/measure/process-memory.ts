import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB, from /proc/<pid>/status VmRSS (kB). */
export function residentMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
