import { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
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
  async function startHealthyLauncher(run: string, opts: { viaNpm?: boolean } = {}): Promise<RunningLauncher> {
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
    await eventually(() => launcher.output().includes('all services are up'), { timeoutMs: 10_000, what: 'address summary' });
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
