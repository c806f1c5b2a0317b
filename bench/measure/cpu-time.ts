import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

const TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds (/proc/<pid>/stat); 0 for a process that is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** The Postgres backends serving one database (the system's pools). */
export async function postgresBackends(pg: Client, database: string): Promise<number[]> {
  const { rows } = await pg.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  return rows.map((r) => r.pid);
}

/**
 * CPU seconds spent by named processes between start() and stop(): a cost per command that the
 * machine's other load barely changes, unlike a rate. Postgres backends are read by pid too.
 */
export class CpuMeter {
  private before = new Map<number, number>();

  constructor(private readonly groups: () => Promise<Record<string, number[]>>) {}

  async start(): Promise<void> {
    this.before = new Map();
    for (const pids of Object.values(await this.groups())) for (const pid of pids) this.before.set(pid, cpuSeconds(pid));
  }

  async stop(): Promise<Record<string, number>> {
    const used: Record<string, number> = {};
    for (const [name, pids] of Object.entries(await this.groups())) {
      used[name] = pids.reduce((sum, pid) => sum + Math.max(0, cpuSeconds(pid) - (this.before.get(pid) ?? 0)), 0);
    }
    return used;
  }
}
