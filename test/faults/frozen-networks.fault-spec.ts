import { Client } from 'pg';
import {
  ChatStack,
  exchangeGroupMessages,
  GroupSetup,
  setUpGroup,
  STACK_TIMEOUT_MS,
  startChatStack,
  waitForGroupConverged,
  waitForNoCommandLeft,
} from '../support/chat-stack';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { readLedger } from './fault-ledger';

const MEMBERS = ['F1', 'F2', 'F3', 'F4', 'F5'];
const FAULT_AFTER_JOINS_MS = 3_000;
const BLACK_HOLE_MS = 20_000;
/** After new sockets pass again: detection (≤ 20 s silence bounds) is over by then, so this is recovery. */
const CONVERGE_AFTER_MS = 90_000;

/**
 * Networks that freeze instead of failing (issue 10, item 2): a TCP proxy of our own between the
 * services (agent, chat) and Redis, Postgres and a relay. 3 s into a 6-member group's joins, every
 * live socket through one proxy is frozen for good (open, silent) and new ones are black-holed
 * (accepted, never forwarded) for 20 s. Nothing closes a socket, so only the services' own
 * timeouts (ioredis socketTimeout, pg socket silence + statement timeouts, the relay stream
 * watchdog and request timeouts) can notice. Each case then asserts the usual ledger.
 */
describe('faults: frozen Redis, Postgres and relay connections mid-joins', () => {
  let redis: RedisServerProcess;
  let stack: ChatStack;
  let db: Client;
  const proxies: Record<'redis' | 'postgres' | 'relay', TcpProxy[]> = { redis: [], postgres: [], relay: [] };
  const log = (msg: string) => console.log(`[frozen ${new Date().toISOString().slice(11, 19)}] ${msg}`);
  const proxyTo = async (kind: keyof typeof proxies, url: string) => {
    const u = new URL(url);
    const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
    proxies[kind].push(proxy);
    return proxy.url(url);
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startChatStack({
      label: 'frozen',
      relays: 2,
      redisUrl: await proxyTo('redis', redis.url(0)),
      // The relays' own storage is theirs (a relay is someone else's server): not behind the proxy.
      relayRedisUrl: redis.url(1),
      via: {
        database: (url) => proxyTo('postgres', url),
        // Only relay 0 is frozen in its case; relay 1 goes through a proxy that always passes.
        relay: (url) => proxyTo('relay', url),
      },
    });
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    for (const p of Object.values(proxies).flat()) p.setMode('pass');
    await db?.end().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    for (const p of Object.values(proxies).flat()) await p.stop();
    await redis?.stop();
  }, STACK_TIMEOUT_MS);

  async function freezeMidJoins(kind: keyof typeof proxies, host: string): Promise<void> {
    const frozen = kind === 'relay' ? [proxies.relay[0]] : proxies[kind];
    let passAt = 0;
    let acceptedAtPass: number[] = [];
    let fault: Promise<void> | undefined;
    const setup: GroupSetup = await setUpGroup(stack.api, host, MEMBERS.map((m) => `${host}-${m}`), {
      concurrentJoins: true,
      timeoutMs: 120_000,
      beforeJoins: async () => {
        // The fault's timing is the fault itself (3 s into the joins, 20 s long), not a wait for a condition.
        fault = (async () => {
          await new Promise((r) => setTimeout(r, FAULT_AFTER_JOINS_MS));
          const before = frozen.map((p) => p.stats().open);
          for (const p of frozen) p.setMode('freeze-all');
          log(`${kind}: ${before.join('+')} live socket(s) frozen for good, new ones black-holed for ${BLACK_HOLE_MS} ms`);
          await new Promise((r) => setTimeout(r, BLACK_HOLE_MS));
          for (const p of frozen) p.setMode('pass');
          passAt = Date.now();
          acceptedAtPass = frozen.map((p) => p.stats().accepted);
          log(`${kind}: new sockets pass again`);
        })();
      },
    });
    await fault;
    await waitForGroupConverged(stack.api, setup, CONVERGE_AFTER_MS);
    const convergedAfter = Date.now() - passAt;
    log(`${kind}: group converged ${convergedAfter} ms after new sockets passed again (${frozen.map((p) => `${p.stats().accepted} sockets accepted`).join(', ')})`);
    await exchangeGroupMessages(stack.api, setup, 1, 60_000, `after frozen ${kind}`);
    await waitForNoCommandLeft(stack.api, setup.all, 60_000);
    const ledger = await readLedger(db);
    expect(ledger.failed).toBe(0);
    expect(ledger.executedTwice).toEqual([]);
    expect(ledger.completedUnexecuted).toBe(0);
    expect(ledger.sentTwice).toEqual([]);
    for (const p of [stack.agent, stack.chat]) expect(p.child.exitCode).toBeNull();
    // The services replaced their frozen sockets (the proxy never gives one up): new ones after the black hole.
    frozen.forEach((p, i) => expect(p.stats().accepted).toBeGreaterThan(acceptedAtPass[i]));
  }

  it('Redis: every live socket frozen for good, new ones black-holed 20 s → the group converges, messages exactly once', async () => {
    await freezeMidJoins('redis', 'RedisHost');
  }, 400_000);

  it('Postgres: every live socket frozen for good, new ones black-holed 20 s → the group converges, messages exactly once', async () => {
    await freezeMidJoins('postgres', 'PgHost');
  }, 400_000);

  it('relay 0: every live socket frozen for good, new ones black-holed 20 s → the group converges, messages exactly once', async () => {
    await freezeMidJoins('relay', 'RelayHost');
  }, 400_000);
});
