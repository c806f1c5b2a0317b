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
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { expectEveryQueueSubscribedOnce } from '../support/queue-subscriptions';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { ServiceProcess, startService } from '../support/service-process';
import { readLedger } from './fault-ledger';

const MEMBERS = ['O1', 'O2', 'O3', 'O4', 'O5'];

/**
 * Any agent can die for good (issue 10, item 1). Receive queues are owned by one live agent each
 * (leases in agent.agent_members, rendezvous hashing); the relay's census (queues subscribed to an
 * open session) and the agents' own (queues each holds) must both equal the live queues.
 */
describe('faults: agents die for good and scale 1 → 3 → 1 mid-joins', () => {
  let redis: RedisServerProcess;
  let stack: ChatStack;
  let db: Client;
  const extra: ServiceProcess[] = [];
  const log = (msg: string) => console.log(`[ownership ${new Date().toISOString().slice(11, 19)}] ${msg}`);
  let agentEnv: Record<string, string>;
  const startAgent = async (n: number) => {
    const agent = await startService('agent', `ownership-agent${n}`, await freePort(), agentEnv, { healthTimeoutMs: 90_000 });
    extra.push(agent);
    return agent;
  };
  const census = (agents: ServiceProcess[]) =>
    eventually(() => expectEveryQueueSubscribedOnce(db, stack.relays, agents.map((a) => a.url)), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'every queue subscribed exactly once',
    });

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startChatStack({ label: 'ownership', relays: 2, redisUrl: redis.url(0), relayRedisUrl: redis.url(1) });
    agentEnv = {
      REDIS_URL: stack.redisUrl,
      QUEUE_PREFIX: stack.prefix,
      DATABASE_URL: stack.db.url,
      RELAY_URLS: stack.relays.map((r) => r.url).join(','),
      RELAY_TIMEOUT_MS: '1000',
      RETRY_BASE_MS: '100',
      RETRY_FACTOR: '1.5',
      RETRY_MAX_MS: '1000',
    };
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await Promise.allSettled(extra.map((a) => a.stop()));
    await stack?.stop().catch(() => undefined);
    await redis?.stop();
  }, STACK_TIMEOUT_MS);

  async function assertLedger(setup: GroupSetup, what: string, agents: ServiceProcess[]): Promise<void> {
    await exchangeGroupMessages(stack.api, setup, 1, 60_000, what);
    await waitForNoCommandLeft(stack.api, setup.all, 60_000);
    const ledger = await readLedger(db);
    expect(ledger.failed).toBe(0);
    expect(ledger.executedTwice).toEqual([]);
    expect(ledger.completedUnexecuted).toBe(0);
    expect(ledger.sentTwice).toEqual([]);
    const c = await census(agents);
    log(`${what}: ${c.map((x) => `${x.queues} queues on ${x.relay.slice(-5)} subscribed once`).join(', ')}`);
    for (const p of [...agents, stack.chat]) expect(p.child.exitCode).toBeNull();
  }

  it('2 agents, one killed for good (SIGKILL, never restarted) 3 s into the joins → the group converges and messages flow', async () => {
    const doomed = await startAgent(2);
    let killedAt = 0;
    let kill: Promise<void> | undefined;
    const setup = await setUpGroup(stack.api, 'KillHost', MEMBERS.map((m) => `Kill-${m}`), {
      concurrentJoins: true,
      timeoutMs: 120_000,
      beforeJoins: async () => {
        await census([stack.agent, doomed]); // both agents hold queues before the kill
        // The moment of the fault is the fault itself, not a wait for a condition.
        kill = (async () => {
          await new Promise((r) => setTimeout(r, 3_000));
          await doomed.kill9();
          killedAt = Date.now();
          log('agent 2 killed for good');
        })();
      },
    });
    await kill;
    await waitForGroupConverged(stack.api, setup, 120_000);
    log(`converged ${Date.now() - killedAt} ms after the kill`);
    await assertLedger(setup, 'one of two agents killed for good', [stack.agent]);
  }, 400_000);

  it('agents scaled 1 → 3 → 1 mid-joins: every queue subscribed exactly once at each size, the group converges', async () => {
    let grown: ServiceProcess[] = [];
    const setup = await setUpGroup(stack.api, 'ScaleHost', MEMBERS.map((m) => `Scale-${m}`), {
      concurrentJoins: true,
      timeoutMs: 120_000,
      beforeJoins: async () => {
        grown = await Promise.all([startAgent(3), startAgent(4)]);
      },
    });
    const three = [stack.agent, ...grown];
    const at3 = await census(three);
    // Ownership is spread: each of the three holds some of the queues.
    const held = await Promise.all(three.map(async (a) => (await fetch(`${a.url}/metrics`).then((r) => r.text())).match(/^gc_agent_subscribed_queues\{[^}]*\} (\d+)/gm) ?? []));
    for (const lines of held) expect(lines.map((l) => Number(l.split(' ').pop())).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    log(`3 agents: ${at3.map((c) => c.queues).join('+')} queues subscribed once`);
    // Back to one: one agent stops cleanly (its lease row is deleted), the other is killed.
    await Promise.all([grown[0].stop(), grown[1].kill9()]);
    log('scaled back to 1 agent');
    await waitForGroupConverged(stack.api, setup, 120_000);
    await assertLedger(setup, 'agents scaled 1 → 3 → 1', [stack.agent]);
  }, 400_000);
});
