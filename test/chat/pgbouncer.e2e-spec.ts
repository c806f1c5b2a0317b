import { Client } from 'pg';
import { PgBouncerProcess, startPgBouncer } from '../support/pgbouncer-process';
import { ServiceProcess } from '../support/service-process';
import { ADMIN_DATABASE_URL } from '../support/test-isolation';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

/** Server connections PgBouncer may open to the test database: far fewer than the apps' pools (2 × 20 + 2 × 10). */
const POOL_SIZE = 5;
const APP_POOLS = 2 * 20 + 2 * 10;

/**
 * What Postgres and PgBouncer see while the test runs, sampled every 250 ms: the test database's
 * backends (counted from another database, so the sampler is not one of them) and PgBouncer's
 * clients of it (the apps' pooled connections).
 */
function sampleConnections(bouncer: PgBouncerProcess, database: string) {
  const peak = { backends: 0, clients: 0, samples: 0 };
  const monitor = new Client({ connectionString: ADMIN_DATABASE_URL });
  let stopped = false;
  const loop = (async () => {
    await monitor.connect();
    while (!stopped) {
      const { rows } = await monitor.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [database]);
      const clients = (await bouncer.admin<{ database: string }>('SHOW CLIENTS')).filter((c) => c.database === database).length;
      peak.backends = Math.max(peak.backends, rows[0].n);
      peak.clients = Math.max(peak.clients, clients);
      peak.samples++;
      await new Promise((r) => setTimeout(r, 250)); // the sampling period, not a wait for anything
    }
  })();
  return {
    peak,
    async stop() {
      stopped = true;
      await loop;
      await monitor.end();
    },
  };
}

describe('chat + agent through PgBouncer in transaction pooling mode', () => {
  let bouncer: PgBouncerProcess | undefined;
  let stack: ChatStack;
  let sampler: ReturnType<typeof sampleConnections>;
  let replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    stack = await startChatStack({
      label: 'pgbouncer',
      relays: 2,
      via: {
        database: async (url) => {
          bouncer = await startPgBouncer({ label: 'pgbouncer', target: url, poolSize: POOL_SIZE });
          return bouncer.url(url);
        },
      },
    });
    sampler = sampleConnections(bouncer!, stack.db.name);
    // Second replicas of both, together: their start-ups (migrations, the role's session defaults) race through PgBouncer.
    replicas = await Promise.all([stack.addAgent(), stack.addChat()]);
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await sampler?.stop();
    await stack?.stop();
    await bouncer?.stop();
  }, STACK_TIMEOUT_MS);

  it('PgBouncer pools in transaction mode, and every Postgres session of the test database has the bounds', async () => {
    const config = await bouncer!.admin<{ key: string; value: string }>('SHOW CONFIG');
    expect(config.find((c) => c.key === 'pool_mode')?.value).toBe('transaction');
    const [db] = (await bouncer!.admin<{ name: string; pool_size: number }>('SHOW DATABASES')).filter((d) => d.name === stack.db.name);
    expect(db).toMatchObject({ pool_size: POOL_SIZE });
    // As many transactions at once as PgBouncer has server connections, so each of them is looked at:
    // the sessions the start-ups opened before the role had its defaults were ended, none lacks them.
    const clients = Array.from({ length: POOL_SIZE }, () => new Client({ connectionString: bouncer!.url(stack.db.url) }));
    const sessions = await Promise.all(
      clients.map(async (c) => {
        await c.connect();
        await c.query('BEGIN');
        const { rows } = await c.query(`SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt`);
        return rows[0] as { pid: number; st: string; lt: string };
      }),
    );
    await Promise.all(clients.map((c) => c.end()));
    expect(new Set(sessions.map((s) => s.pid)).size).toBe(POOL_SIZE);
    expect(sessions.map(({ st, lt }) => ({ st, lt }))).toEqual(Array(POOL_SIZE).fill({ st: '15s', lt: '10s' }));
  });

  it('every agent and chat saw PgBouncer between it and Postgres and sends unnamed statements (DATABASE_PREPARED_STATEMENTS=auto)', () => {
    for (const app of [stack.agent, stack.chat, ...replicas]) {
      expect(app.output()).toContain('named statements off: DATABASE_PREPARED_STATEMENTS=auto');
      expect(app.output()).not.toContain('named statements on');
    }
  });

  it(`2 agents + 2 chats, 2 relays at 20% faults: a group of 6 converges, messages exactly once, nothing failed or pending; Postgres sees ≤ ${POOL_SIZE} backends`, async () => {
    const { api } = stack;
    await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0.2 })));
    const started = Date.now();
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4', 'M5'], { timeoutMs: 150_000 });
    await waitForGroupConverged(api, setup, 180_000);
    const converged = Date.now() - started;
    const delivered = await exchangeGroupMessages(api, setup, 1, 120_000);
    await waitForNoCommandLeft(api, setup.all, 60_000);
    const [stats] = (await bouncer!.admin<{ database: string; total_xact_count: string }>('SHOW STATS')).filter((s) => s.database === stack.db.name);
    const { peak } = sampler;
    console.log(
      `through PgBouncer (pool ${POOL_SIZE}, apps' pools ${APP_POOLS}): converged ${converged} ms, messages ${delivered} ms; ` +
        `peak ${peak.backends} Postgres backends, ${peak.clients} PgBouncer clients over ${peak.samples} samples; ${stats.total_xact_count} transactions`,
    );
    expect(peak.samples).toBeGreaterThan(10);
    expect(peak.backends).toBeLessThanOrEqual(POOL_SIZE);
    // More of the apps' connections than server connections at once: PgBouncer multiplexed them.
    expect(peak.clients).toBeGreaterThan(POOL_SIZE);
    expect(Number(stats.total_xact_count)).toBeGreaterThan(1_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
