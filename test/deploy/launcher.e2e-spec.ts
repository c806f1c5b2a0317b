import { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { clearRelayFaults, RELAY_TEST_ADMIN_TOKEN } from '../support/relay-admin';
import { freePort } from '../support/free-port';
import { spawnCaptured } from '../support/service-process';
import { ADMIN_DATABASE_URL, SHARED_REDIS_URL, dropKeys, testQueuePrefix, uniqueSuffix } from '../support/test-isolation';

const ROOT = resolve(__dirname, '..', '..');
const LAUNCHER = join(ROOT, 'dist', 'apps', 'launcher', 'main.js');

interface RunningLauncher {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Child pids by service name, as the launcher announced them. */
  pids: () => Map<string, number>;
  viaNpm: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live process whose environment carries `marker` (the launcher, npm, each child). */
function processesMarked(marker: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ') });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return found;
}

// utime + stime of /proc/<pid>/stat are in clock ticks: 100 a second on Linux (USER_HZ).
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

async function healthStatus(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return res.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('npm start launcher (dist/apps/launcher/main.js)', () => {
  const queuePrefix = testQueuePrefix('launcher');
  const tag = queuePrefix.slice(1, -1);
  const dbName = `gc_t_launcher_${uniqueSuffix()}`;
  const dbUrl = (() => {
    const u = new URL(ADMIN_DATABASE_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  let ports: { relays: number[]; agent: number; chat: number };
  const launched: RunningLauncher[] = [];

  /**
   * `viaNpm`: `npm start --ignore-scripts` (no prestart build, which would pull dist/ from under the
   * other suites) in its own process group, as a terminal runs a foreground job.
   */
  async function startLauncher(run: string, opts: { viaNpm?: boolean; env?: Record<string, string> } = {}): Promise<RunningLauncher> {
    // Fresh ports for every launch: a port released by the previous launch may already be
    // another suite's by now.
    // freePort() releases each port before returning, so two calls can return the same one.
    const fresh = new Set<number>();
    while (fresh.size < 4) fresh.add(await freePort());
    const [relayA, relayB, agent, chat] = [...fresh];
    ports = { relays: [relayA, relayB], agent, chat };
    const [command, args] = opts.viaNpm ? ['npm', ['start', '--ignore-scripts']] : [process.execPath, [LAUNCHER]];
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL: SHARED_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      DATABASE_URL: dbUrl,
      RELAY_PORTS: ports.relays.join(','),
      RELAY_NAMES: `${tag}-relay-a,${tag}-relay-b`,
      AGENT_PORT: String(ports.agent),
      CHAT_PORT: String(ports.chat),
      BULL_BOARD_PASSWORD: 'launcher-test',
      ...opts.env,
    };
    const { child, output, exited } = spawnCaptured(`launcher-${run}`, command, args, env, { detached: opts.viaNpm ?? false });
    const running: RunningLauncher = {
      child,
      viaNpm: opts.viaNpm ?? false,
      exited,
      output,
      pids: () => new Map([...output().matchAll(/started (\S+) \(pid (\d+)\)/g)].map((m) => [m[1], Number(m[2])])),
    };
    launched.push(running);
    return running;
  }

  /**
   * Starts the launcher and waits for every /health. Ports come from freePort(), so another suite can
   * take one between our pick and the child's listen(): that (EADDRINUSE) earns one retry on fresh
   * ports; any other early exit fails the test at once with the launcher's output.
   */
  async function startHealthyLauncher(run: string, opts: { viaNpm?: boolean; env?: Record<string, string> } = {}): Promise<RunningLauncher> {
    for (let attempt = 1; ; attempt += 1) {
      const launcher = await startLauncher(run, opts);
      let exited = false;
      void launcher.exited.then(() => (exited = true));
      const outcome = await eventually(
        async () => {
          if (exited) return 'exited';
          const statuses = await Promise.all([...ports.relays, ports.agent, ports.chat].map(healthStatus));
          return statuses.every((s) => s === 200) && !exited ? 'healthy' : false;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: 'every service /health 200' },
      );
      if (outcome === 'healthy') return launcher;
      if (attempt === 1 && launcher.output().includes('EADDRINUSE')) continue;
      throw new Error(`launcher exited before every service was healthy:\n${launcher.output().slice(-3000)}`);
    }
  }


  afterAll(async () => {
    for (const l of launched) {
      for (const pid of l.pids().values()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (l.child.exitCode === null && l.child.signalCode === null) {
        // Started in its own group (via npm): the launcher under npm goes too.
        if (l.viaNpm) process.kill(-l.child.pid!, 'SIGKILL');
        else l.child.kill('SIGKILL');
        await l.exited;
      }
    }
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => admin.end());
    await dropKeys(SHARED_REDIS_URL, `*${tag}*`);
  });

  it('creates the missing database, brings every service to /health 200, and stops them all on SIGTERM', async () => {
    expect(await databaseExists(dbName)).toBe(false);
    const launcher = await startHealthyLauncher('sigterm');

    expect(await databaseExists(dbName)).toBe(true);
    // The summary is several lines, which may arrive in several reads: its last line closes it.
    await eventually(() => /all services are up:[\s\S]*Ctrl-C stops everything/.test(launcher.output()), { timeoutMs: 10_000, what: 'address summary' });
    const out = launcher.output();
    // (A retry on fresh ports finds the database its first attempt created.)
    expect(out).toMatch(new RegExp(`(created database|database) "${dbName}"`));
    expect(out).toContain(`http://localhost:${ports.chat}/queues`);
    expect(out).toContain(`http://localhost:${ports.chat}/docs`);
    for (const port of [...ports.relays, ports.agent]) expect(out).toContain(`http://localhost:${port}`);
    // Every child's own output comes through behind its name.
    for (const name of [`${tag}-relay-a`, `${tag}-relay-b`, 'agent', 'chat']) {
      expect(out).toMatch(new RegExp(`^${name.replace(/[{}]/g, '\\$&')}\\s*\\| \\S`, 'm'));
    }
    // The printed addresses answer: metrics everywhere, API docs, Bull Board behind basic auth.
    const status = async (port: number, path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    for (const port of [...ports.relays, ports.agent, ports.chat]) expect(await status(port, '/metrics')).toBe(200);
    expect(await status(ports.chat, '/docs')).toBe(200);
    expect(await status(ports.chat, '/queues')).toBe(401);
    const pids = launcher.pids();
    expect([...pids.keys()].sort()).toEqual([`${tag}-relay-a`, `${tag}-relay-b`, 'agent', 'chat'].sort());
    expect([...pids.values()].every(isAlive)).toBe(true);

    launcher.child.kill('SIGTERM');
    const code = await launcher.exited;

    expect(code).toBe(0);
    expect(launcher.output()).toContain('all services stopped');
    expect([...pids.entries()].filter(([, pid]) => isAlive(pid))).toEqual([]);
    for (const port of [...ports.relays, ports.agent, ports.chat]) {
      await expect(healthStatus(port)).rejects.toThrow();
    }
  });

  it('stops everything gracefully on a Ctrl-C under npm start', async () => {
    const launcher = await startHealthyLauncher('ctrl-c', { viaNpm: true });
    const pids = launcher.pids();

    // A terminal's Ctrl-C: SIGINT to the foreground process group (npm and the launcher).
    process.kill(-launcher.child.pid!, 'SIGINT');
    await launcher.exited; // npm itself ends by the SIGINT it got, so its exit code says nothing

    expect(launcher.output()).toContain('all services stopped');
    expect(launcher.output()).not.toContain('killing what is left');
    expect(launcher.output()).toMatch(/chat stopped \((SIGTERM|0)\)/);
    expect([...pids.entries()].filter(([, pid]) => isAlive(pid))).toEqual([]);
  });

  /**
   * Waits until no process of the launch `marker` is left, noting the launcher's CPU time on the
   * way. The spin this guards against (issue 15) kept the launcher at 100% CPU for good, so a
   * spinning launcher fails here both by staying alive and by its CPU time.
   */
  async function waitAllGone(marker: string): Promise<{ launcherCpuS: number }> {
    let launcherCpuS = 0;
    await eventually(
      () => {
        const left = processesMarked(marker);
        for (const p of left.filter((l) => l.cmdline.includes('launcher/main.js'))) {
          launcherCpuS = Math.max(launcherCpuS, cpuSeconds(p.pid) ?? 0);
        }
        if (left.length === 0) return true;
        throw new Error(`still running (launcher CPU ${launcherCpuS} s): ${left.map((l) => `${l.pid} ${l.cmdline}`).join('; ')}`);
      },
      { timeoutMs: 45_000, intervalMs: 200, what: `every process of ${marker} gone` },
    );
    return { launcherCpuS };
  }

  // Generous for a busy 2-core machine: a launcher that starts and stops four children uses well
  // under a second; the spin used a full core, 1:30 of CPU in 90 s.
  const LAUNCHER_CPU_BUDGET_S = 5;

  it('`npm start 2>&1 | head -3`: once the reader closes, the launcher stops everything it started and exits, without spinning', async () => {
    const marker = `GC_LAUNCH_RUN=${tag}-head`;
    const launcher = await startLauncher('head', { viaNpm: true, env: { [marker.split('=')[0]]: marker.split('=')[1] } });
    // `head -3` reads the first three lines, then its end of the pipe (stdout and stderr) closes.
    await eventually(() => launcher.output().split('\n').filter((l) => l.startsWith('launcher')).length >= 3, {
      timeoutMs: 30_000,
      what: "the launcher's first three lines",
    });
    launcher.child.stdout?.destroy();
    launcher.child.stderr?.destroy();

    const { launcherCpuS } = await waitAllGone(marker);

    await launcher.exited;
    expect(launcherCpuS).toBeLessThan(LAUNCHER_CPU_BUDGET_S);
  });

  it('`npm start | less`, then q: a closed stdout stops every service gracefully and says so on stderr', async () => {
    const marker = `GC_LAUNCH_RUN=${tag}-less`;
    const launcher = await startHealthyLauncher('less', {
      env: { [marker.split('=')[0]]: marker.split('=')[1], RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN },
    });
    // The summary is several lines, which may arrive in several reads: its last line closes it.
    await eventually(() => /all services are up:[\s\S]*Ctrl-C stops everything/.test(launcher.output()), { timeoutMs: 10_000, what: 'address summary' });
    const pids = launcher.pids();
    let stderr = '';
    launcher.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    launcher.child.stdout?.destroy(); // the pager quit; stderr is still the terminal
    // A pipe tells its writer that the reader left only at the next write: the services' next log
    // line (here the relay's "faults changed") is where the launcher learns it.
    await clearRelayFaults(`http://127.0.0.1:${ports.relays[0]}`, RELAY_TEST_ADMIN_TOKEN);
    const { launcherCpuS } = await waitAllGone(marker);

    expect(await launcher.exited).toBe(0);
    expect(stderr).toMatch(/stdout closed \(EPIPE\): stopping all services/);
    expect(stderr).toMatch(/agent stopped \((SIGTERM|0)\)/);
    expect(stderr).toMatch(/chat stopped \((SIGTERM|0)\)/);
    expect(stderr).toContain('all services stopped');
    expect([...pids.entries()].filter(([, pid]) => isAlive(pid))).toEqual([]);
    expect(launcherCpuS).toBeLessThan(LAUNCHER_CPU_BUDGET_S);
  });

  it('a lost terminal (SIGHUP, its output gone with it) stops every service and the launcher exits, without spinning', async () => {
    const marker = `GC_LAUNCH_RUN=${tag}-hup`;
    const launcher = await startHealthyLauncher('hup', { env: { [marker.split('=')[0]]: marker.split('=')[1] } });
    const pids = launcher.pids();

    // The terminal window closed: the session's SIGHUP, and nothing reads stdout or stderr any more.
    launcher.child.stdout?.destroy();
    launcher.child.stderr?.destroy();
    launcher.child.kill('SIGHUP');
    const { launcherCpuS } = await waitAllGone(marker);

    expect(await launcher.exited).toBe(0);
    expect([...pids.entries()].filter(([, pid]) => isAlive(pid))).toEqual([]);
    expect(launcherCpuS).toBeLessThan(LAUNCHER_CPU_BUDGET_S);
  });

  it('refuses to start, naming the dependency, when Redis or Postgres does not answer', async () => {
    const closedPort = await freePort();
    const noRedis = await startLauncher('no-redis', { env: { REDIS_URL: `redis://127.0.0.1:${closedPort}/0` } });
    const noPostgres = await startLauncher('no-postgres', {
      env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/${dbName}` },
    });

    expect(await noRedis.exited).toBe(1);
    expect(await noPostgres.exited).toBe(1);
    expect(noRedis.output()).toContain(`Redis at 127.0.0.1:${closedPort} does not answer`);
    expect(noPostgres.output()).toContain(`Postgres at 127.0.0.1:${closedPort} does not answer`);
    expect(noRedis.pids().size + noPostgres.pids().size).toBe(0);
  });

  it('checks the Redis Cluster of REDIS_CLUSTER_NODES / RELAY_REDIS_CLUSTER_NODES instead of the URLs when they are set, naming the variable', async () => {
    const closedPort = await freePort();
    const seeds = `127.0.0.1:${closedPort}`;
    const noQueueCluster = await startLauncher('no-cluster', { env: { REDIS_CLUSTER_NODES: seeds } });
    const noRelayCluster = await startLauncher('no-relay-cluster', { env: { RELAY_REDIS_CLUSTER_NODES: seeds } });

    expect(await noQueueCluster.exited).toBe(1);
    expect(await noRelayCluster.exited).toBe(1);
    expect(noQueueCluster.output()).toContain(`Redis cluster ${seeds} does not answer`);
    expect(noQueueCluster.output()).toMatch(/check REDIS_CLUSTER_NODES /);
    expect(noRelayCluster.output()).toMatch(/check RELAY_REDIS_CLUSTER_NODES /);
    expect(noQueueCluster.pids().size + noRelayCluster.pids().size).toBe(0);
  });

  it('stops the other services and exits 1 when one of them dies unexpectedly', async () => {
    const launcher = await startHealthyLauncher('child-dies');
    expect(launcher.output()).toContain(`database "${dbName}" exists`);
    const pids = launcher.pids();
    const agentPid = pids.get('agent');
    expect(agentPid).toBeDefined();

    process.kill(agentPid!, 'SIGKILL');
    const code = await launcher.exited;

    expect(code).toBe(1);
    expect(launcher.output()).toMatch(/agent exited unexpectedly \(SIGKILL\)/);
    expect([...pids.entries()].filter(([, pid]) => isAlive(pid))).toEqual([]);
  });
});
