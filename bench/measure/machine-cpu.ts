import { readFileSync } from 'node:fs';

/** Jiffies of the whole machine from /proc/stat's first line: busy (everything but idle and iowait) and total. */
export function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * The share of all cores that was busy between start() and stop(), whoever used it: next to the
 * system's own share it tells a reader when the machine (other load included), not the code, was
 * the ceiling.
 */
export class MachineCpuMeter {
  private before = machineJiffies();

  start(): void {
    this.before = machineJiffies();
  }

  /** 0..1 of all cores. */
  stop(): number {
    const now = machineJiffies();
    const total = now.total - this.before.total;
    return total > 0 ? (now.busy - this.before.busy) / total : NaN;
  }
}
