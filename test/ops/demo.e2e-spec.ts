import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { CapturedProcess, spawnCaptured } from '../support/service-process';
import { ADMIN_DATABASE_URL, SHARED_REDIS_URL, dropKeys, testQueuePrefix, uniqueSuffix } from '../support/test-isolation';

const ROOT = resolve(__dirname, '..', '..');
const ADMIN_TOKEN = 'demo-test-admin-token';

type Run = CapturedProcess;

function run(label: string, args: string[], env: Record<string, string>, opts: { detached?: boolean } = {}): Run {
  return spawnCaptured(label, process.execPath, args, { PATH: process.env.PATH ?? '', ...env }, opts);
}

/** `npm run demo -- --members 8 --failure-rate 0.3` against the services `npm start` runs. */
describe('demo against the launcher', () => {
  const prefix = testQueuePrefix('demo');
  const tag = prefix.slice(1, -1);
  const dbName = `gc_t_demo_${uniqueSuffix()}`;
  const dbUrl = Object.assign(new URL(ADMIN_DATABASE_URL), { pathname: `/${dbName}` }).toString();
  let launcher: Run | undefined;
  let ports: { relays: number[]; agent: number; chat: number };

  beforeAll(async () => {
    ports = { relays: [await freePort(), await freePort()], agent: await freePort(), chat: await freePort() };
    launcher = run('demo-launcher', [join(ROOT, 'dist', 'apps', 'launcher', 'main.js')], {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL: SHARED_REDIS_URL,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: dbUrl,
      RELAY_PORTS: ports.relays.join(','),
      RELAY_NAMES: `${tag}-relay-a,${tag}-relay-b`,
      AGENT_PORT: String(ports.agent),
      CHAT_PORT: String(ports.chat),
      RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
      BULL_BOARD_PASSWORD: 'demo-test',
      // The agent's own retry policy, as `npm start` runs it: its inline retries then wait long
      // enough to overlap, which is how the demo once printed MaxListenersExceededWarning (issue 15;
      // the harness fails this suite on any process warning).
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_STALE_MS: '3000',
    });
    let exitCode: number | null | undefined;
    void launcher.exited.then((c) => (exitCode = c));
    await eventually(
      () => {
        if (exitCode !== undefined) throw new Error(`launcher exited with ${exitCode}:\n${launcher!.output().slice(-3000)}`);
        return launcher!.output().includes('all services are up');
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'launcher: all services are up' },
    );
  });

  afterAll(async () => {
    if (launcher && launcher.child.exitCode === null && launcher.child.signalCode === null) {
      launcher.child.kill('SIGTERM');
      const timer = setTimeout(() => launcher!.child.kill('SIGKILL'), 30_000);
      await launcher.exited;
      clearTimeout(timer);
    }
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => admin.end());
    await dropKeys(SHARED_REDIS_URL, `*${tag}*`);
  });

  it('host + 8 at 30% relay faults: full mesh, every message delivered, a result table, faults cleared at the end', async () => {
    const relayUrls = ports.relays.map((p) => `http://127.0.0.1:${p}`);
    const demo = run('demo-run', [join(ROOT, 'dist', 'apps', 'demo', 'main.js'), '--members', '8', '--failure-rate', '0.3', '--timeout-s', '240'], {
      CHAT_URL: `http://127.0.0.1:${ports.chat}`,
      RELAY_URLS: relayUrls.join(','),
      AGENT_URL: `http://127.0.0.1:${ports.agent}`,
      RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const code = await demo.exited;
    const out = demo.output();
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(out).toMatch(/\[#{30}\] 36\/36 pairs 100%/);
    expect(out).toMatch(/\| pairs connected\s+\| 36\/36\s+\|/);
    expect(out).toMatch(/\| messages delivered\s+\| 72\/72\s+\|/);
    expect(out).toMatch(/\| time to full mesh\s+\| \d+\.\d s\s+\|/);
    expect(out).toMatch(/\| commands\s+\| \d+ \(\d+ completed, 0 pending, 0 failed\)/);
    const retries = Number(/\| agent retries \(transient\)\s+\| (\d+)/.exec(out)?.[1]);
    const faults = Number(/\| faults injected by relays\s+\| (\d+)/.exec(out)?.[1]);
    expect(faults).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);
    for (const url of relayUrls) {
      const res = await fetch(`${url}/admin/faults`, { headers: { 'x-admin-token': ADMIN_TOKEN } });
      expect(await res.json()).toMatchObject({ failureRate: 0, latencyMs: 0, down: false });
    }
  });

  it('refuses bad arguments with the usage, and a chat that does not answer with a hint to start it', async () => {
    const bad = run('demo-bad-args', [join(ROOT, 'dist', 'apps', 'demo', 'main.js'), '--members', 'lots'], {});
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/members[\s\S]*usage: npm run demo/);
    const noChat = run('demo-no-chat', [join(ROOT, 'dist', 'apps', 'demo', 'main.js'), '--members', '2'], { CHAT_URL: `http://127.0.0.1:${await freePort()}` });
    expect(await noChat.exited).toBe(1);
    expect(noChat.output()).toMatch(/does not answer \/health: start the services first \(npm start\)/);
  });
});
