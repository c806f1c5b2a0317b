import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { cpuCaps } from './cpu-cap';
import { cpuSeconds } from './cpu-time';

const CAP_CORES = 0.1;
const WINDOW_MS = 1_500;

describe('cpuCaps: a cgroup CPU quota per process (the replicas section)', () => {
  const caps = cpuCaps('spec');
  // The bench machine and CI run as root with a cgroup cpu controller; elsewhere the section says
  // "not measured" with this reason, and so does this spec.
  const maybe = typeof caps === 'string' ? it.skip : it;
  if (typeof caps === 'string') console.warn(`cpu caps unavailable here: ${caps}`);

  maybe('holds a busy process to its quota, and release() leaves no group behind', async () => {
    if (typeof caps === 'string') return;
    const spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      caps.cap('spinner', spinner.pid!, CAP_CORES);
      // A spinning process uncapped uses a whole core; capped, its CPU over a window (the window is
      // the measurement, not a wait for something) is the quota's share, plus at most a period.
      const before = cpuSeconds(spinner.pid);
      const started = performance.now();
      await delay(WINDOW_MS);
      const used = cpuSeconds(spinner.pid) - before;
      const wall = (performance.now() - started) / 1000;
      expect(used).toBeLessThan(CAP_CORES * wall + 0.15);
      expect(used).toBeGreaterThan(0);
    } finally {
      caps.release();
      spinner.kill('SIGKILL');
    }
    const leftovers = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup'].filter(existsSync).flatMap((root) => readdirSync(root).filter((d) => d.startsWith(`gc-bench-${process.pid}-`)));
    expect(leftovers).toEqual([]);
  });

  it('refuses a cap that is not a positive number of cores', () => {
    if (typeof caps === 'string') return;
    expect(() => caps.cap('zero', process.pid, 0)).toThrow('positive number of cores');
    caps.release();
  });
});
