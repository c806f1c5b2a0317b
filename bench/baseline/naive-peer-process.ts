import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../../test/support/eventually';
import { freePort } from '../../test/support/free-port';
import { TEST_OUTPUT_DIR } from '../../test/support/service-process';

export interface NaivePeer {
  frontUrl: string;
  /** pids of the front and the worker, for CPU accounting. */
  pids: { front?: number; worker?: number };
  stop(): Promise<void>;
}

/** Starts the naive peer's two processes (dist/bench/baseline/naive-peer.js) and waits until both answer. */
export async function startNaivePeer(env: { DATABASE_URL: string; REDIS_URL: string; QUEUE_PREFIX: string }): Promise<NaivePeer> {
  const children: Array<{ child: ChildProcess; exited: Promise<void> }> = [];
  const spawnRole = async (role: string) => {
    const port = await freePort();
    const log = createWriteStream(join(TEST_OUTPUT_DIR, `bench-baseline-${role}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(__dirname, 'naive-peer.js')], {
      env: { PATH: process.env.PATH ?? '', ...env, ROLE: role, PORT: String(port), CONCURRENCY: '32' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push({ child, exited: new Promise((r) => child.once('exit', () => r())) });
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/health`)).status === 200, { timeoutMs: 15_000, what: `baseline ${role}` });
    return url;
  };
  const stop = async () => {
    for (const { child, exited } of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const frontUrl = await spawnRole('front');
    await spawnRole('worker');
    return { frontUrl, pids: { front: children[0].child.pid, worker: children[1].child.pid }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
