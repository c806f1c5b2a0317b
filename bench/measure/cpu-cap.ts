import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Caps a process's CPU with a cgroup CFS quota: `cores` × the period per period, so a process sees
 * a machine of that many cores however idle the real one is. The replica measurement needs it on a
 * 2-core machine: uncapped, one agent and one chat already keep both cores busy, so a second pair
 * can only share them and "does a replica add throughput" is not measurable; capped, each pair is a
 * small machine of its own and the question is answered by the rate (issue 13 item 4).
 *
 * cgroup v2 (`cpu.max`) where its cpu controller is enabled, else v1's cpu hierarchy; root only.
 */
const PERIOD_US = 100_000;

interface Hierarchy {
  root: string;
  write(dir: string, cores: number): void;
}

function hierarchy(): Hierarchy | string {
  const v2 = '/sys/fs/cgroup';
  if (existsSync(join(v2, 'cgroup.controllers')) && readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) {
    return { root: v2, write: (dir, cores) => writeFileSync(join(dir, 'cpu.max'), `${Math.round(cores * PERIOD_US)} ${PERIOD_US}`) };
  }
  const v1 = '/sys/fs/cgroup/cpu';
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    return {
      root: v1,
      write: (dir, cores) => {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
      },
    };
  }
  return 'no cgroup cpu controller (neither v2 cpu.max nor v1 cpu.cfs_quota_us)';
}

export interface CpuCaps {
  /** Puts `pid` (all its threads) under its own quota of `cores`. */
  cap(label: string, pid: number, cores: number): void;
  /** Moves the capped processes still alive back to the root group and removes the groups. */
  release(): void;
}

/** A set of capped processes, or why this machine cannot cap (shown as the row's "not measured"). */
export function cpuCaps(owner: string): CpuCaps | string {
  const h = hierarchy();
  if (typeof h === 'string') return h;
  const dirs: string[] = [];
  const base = join(h.root, `gc-bench-${process.pid}-${owner}`);
  try {
    mkdirSync(base, { recursive: true });
    dirs.push(base);
  } catch (err) {
    return `cannot create a cgroup under ${h.root}: ${(err as Error).message}`;
  }
  return {
    cap(label, pid, cores) {
      if (!(cores > 0)) throw new Error(`a CPU cap must be a positive number of cores, got ${cores}`);
      const dir = join(base, label.replace(/[^A-Za-z0-9_-]/g, '_'));
      mkdirSync(dir, { recursive: true });
      dirs.push(dir);
      h.write(dir, cores);
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    },
    release() {
      // Children first: a group with processes or sub-groups cannot be removed.
      for (const dir of dirs.reverse()) {
        try {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) writeFileSync(join(h.root, 'cgroup.procs'), pid);
          rmdirSync(dir);
        } catch {
          // A process that exited meanwhile, or a group already gone: nothing left to release.
        }
      }
      dirs.length = 0;
    },
  };
}
