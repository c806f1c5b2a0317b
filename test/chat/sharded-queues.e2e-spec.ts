import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE, shardOfMessage, shardPrefix } from '@gc/contracts';
import { ShardWorkers, ShardedQueue, checkClusterRequirements, openQueue, parseClusterNodes } from '@gc/queueing';
import { freePort } from '../support/free-port';
import Redis from 'ioredis';
import { eventually } from '../support/eventually';
import { ChatStack, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, TEST_RECONCILE_ENV, setUpGroup, startChatStack, waitForGroupConverged, waitForNoCommandLeft } from '../support/chat-stack';
import { startRedisCluster, type RedisClusterProcess } from '../support/redis-cluster-process';
import { scanKeys, SHARED_REDIS_URL, testQueuePrefix } from '../support/test-isolation';

const SHARDS = 4;
const BOARD = { BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'shards-board-password' };
const basic = `Basic ${Buffer.from(`${BOARD.BULL_BOARD_USER}:${BOARD.BULL_BOARD_PASSWORD}`).toString('base64')}`;
const JOB_STATES = ['completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized'] as const;

/** `{t-x}` → `{t-x:*`: every shard prefix of a test prefix, as a SCAN glob. */
const shardGlob = (prefix: string) => `${prefix.slice(0, -1)}:*`;

/**
 * Every job of every shard of both queues: each must sit on the shard of its connection (a
 * SUBSCRIBE: of all its connIds), which is what keeps a connection's commands and events in order.
 */
async function jobsByShard(redisUrl: string, prefix: string): Promise<{ commands: number[]; events: number[]; misplaced: string[] }> {
  const counts = { commands: new Array<number>(SHARDS).fill(0), events: new Array<number>(SHARDS).fill(0), misplaced: [] as string[] };
  for (let n = 0; n < SHARDS; n++) {
    for (const [name, tally] of [[AGENT_COMMANDS_QUEUE, counts.commands], [AGENT_EVENTS_QUEUE, counts.events]] as const) {
      const queue = openQueue(name, { redisUrl, prefix: shardPrefix(prefix, n, SHARDS) });
      try {
        for (const job of await queue.getJobs([...JOB_STATES], 0, -1)) {
          tally[n]++;
          const data = job.data as { connId?: string; connIds?: string[] };
          const shards = new Set((data.connIds ?? [data.connId]).map((connId) => shardOfMessage({ connId }, SHARDS)));
          if (shards.size !== 1 || !shards.has(n)) counts.misplaced.push(`${name} ${job.name} ${job.id} on shard ${n}`);
        }
      } finally {
        await queue.close();
      }
    }
  }
  return counts;
}

/** gc_chat_queue_losses_total: how many times the chat saw a queue shard lose its data. */
async function queueLossesSeen(chatUrl: string): Promise<number> {
  const text = await (await fetch(`${chatUrl}/metrics`)).text();
  return Number(/^gc_chat_queue_losses_total(?:\{[^}]*\})?\s+(\S+)/m.exec(text)?.[1] ?? 0);
}

async function convergeAGroupOf5(stack: ChatStack): Promise<void> {
  const setup = await setUpGroup(stack.api, 'Host', ['M1', 'M2', 'M3', 'M4']);
  await waitForGroupConverged(stack.api, setup);
  await waitForNoCommandLeft(stack.api, setup.all, 30_000);
}

describe(`sharded queues: QUEUE_SHARDS=${SHARDS}`, () => {
  describe('on a single Redis', () => {
    let stack: ChatStack;
    beforeAll(async () => {
      const env = { QUEUE_SHARDS: String(SHARDS) };
      stack = await startChatStack({ label: 'shards1', relays: 2, agentEnv: env, chatEnv: { ...env, ...BOARD } });
    }, STACK_TIMEOUT_MS);
    afterAll(async () => {
      await stack?.stop(); // drops the shard prefixes' keys too (dropQueueKeys)
    }, STACK_TIMEOUT_MS);

    it('a group of 5 converges; jobs land on all 4 shard prefixes, each on the shard of its connection, none under the unsharded prefix', async () => {
      await convergeAGroupOf5(stack);
      for (let n = 0; n < SHARDS; n++) {
        const p = shardPrefix(stack.prefix, n, SHARDS);
        expect(await scanKeys(SHARED_REDIS_URL, `${p}:${AGENT_COMMANDS_QUEUE}:*`)).not.toHaveLength(0);
        expect(await scanKeys(SHARED_REDIS_URL, `${p}:${AGENT_EVENTS_QUEUE}:*`)).not.toHaveLength(0);
        // The chat's queue-loss marker is kept per shard.
        expect(await scanKeys(SHARED_REDIS_URL, `${p}:chat:queue-marker`)).toHaveLength(1);
      }
      // The recovery lease: one, on shard 0.
      expect(await scanKeys(SHARED_REDIS_URL, `${shardGlob(stack.prefix)}:chat:recovery-lease`)).toEqual([`${shardPrefix(stack.prefix, 0, SHARDS)}:chat:recovery-lease`]);
      expect(await scanKeys(SHARED_REDIS_URL, `${stack.prefix}*`)).toEqual([]);
      const jobs = await jobsByShard(SHARED_REDIS_URL, stack.prefix);
      expect(jobs.misplaced).toEqual([]);
      for (let n = 0; n < SHARDS; n++) {
        expect(jobs.commands[n]).toBeGreaterThan(0);
        expect(jobs.events[n]).toBeGreaterThan(0);
      }
    }, GROUP_TEST_TIMEOUT_MS);

    it('health, the queue gauges and Bull Board show every shard', async () => {
      expect((await fetch(`${stack.chat.url}/health`)).status).toBe(200);
      expect((await fetch(`${stack.agent.url}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${stack.chat.url}/metrics`)).text();
      for (let n = 0; n < SHARDS; n++) {
        for (const queue of [AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE]) expect(metrics).toContain(`gc_queue_jobs{queue="${queue}",state="failed",shard="${n}",`);
      }
      const board = await fetch(`${stack.chat.url}/queues/api/queues`, { headers: { authorization: basic } });
      expect(board.status).toBe(200);
      const names = ((await board.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      const expected = [0, 1, 2, 3].flatMap((n) => [`shard-${n}:${AGENT_COMMANDS_QUEUE}`, `shard-${n}:${AGENT_EVENTS_QUEUE}`]).sort();
      expect(names).toEqual(expected);
    });
  });

  describe('on a Redis Cluster of 3 masters (REDIS_CLUSTER_NODES for agent and chat)', () => {
    let cluster: RedisClusterProcess;
    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    }, STACK_TIMEOUT_MS);
    afterAll(async () => {
      await cluster?.stop();
    });

    /** A prefix whose 4 shards reach all 3 masters (4 hash tags over 3 masters miss one about half the time). */
    async function prefixOnEveryMaster(label: string): Promise<string> {
      for (let i = 0; ; i++) {
        const prefix = testQueuePrefix(`${label}${i}`);
        const masters = new Set(await Promise.all(Array.from({ length: SHARDS }, (_, n) => cluster.masterOf(shardPrefix(prefix, n, SHARDS)))));
        if (masters.size === cluster.ports.length) return prefix;
      }
    }

    async function startClusterStack(label: string, relayEnv: Record<string, string>): Promise<{ stack: ChatStack; prefix: string }> {
      const prefix = await prefixOnEveryMaster(label);
      const env = { QUEUE_SHARDS: String(SHARDS), REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: prefix };
      return { stack: await startChatStack({ label, relays: 2, agentEnv: env, chatEnv: env, relayEnv }), prefix };
    }

    describe('the relays on the cluster too (RELAY_REDIS_CLUSTER_NODES)', () => {
      let stack: ChatStack;
      let prefix: string;
      beforeAll(async () => {
        ({ stack, prefix } = await startClusterStack('shardsc', { RELAY_REDIS_CLUSTER_NODES: cluster.nodes }));
      }, STACK_TIMEOUT_MS);
      afterAll(async () => {
        await stack?.stop();
      }, STACK_TIMEOUT_MS);

      it('host + 5 members at 20% relay faults converge; queue keys and relay keys are on every master, none on the shared Redis', async () => {
        const { api } = stack;
        await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0.2 })));
        try {
          const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4', 'M5'], { timeoutMs: 150_000 });
          await waitForGroupConverged(api, setup, 180_000);
          await waitForNoCommandLeft(api, setup.all, 60_000);
        } finally {
          await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0 })));
        }
        for (const port of cluster.ports) {
          const keys = await scanKeys(cluster.url(port), shardGlob(prefix));
          expect(keys.filter((k) => k.includes(`:${AGENT_COMMANDS_QUEUE}:`))).not.toHaveLength(0);
          expect(keys.filter((k) => k.includes(`:${AGENT_EVENTS_QUEUE}:`))).not.toHaveLength(0);
          // The relays' queues (hash-tagged by recipient id) spread over the masters too.
          const relayQueues = (await Promise.all(stack.relays.map((r) => scanKeys(cluster.url(port), `relay:${r.name}:q:*`)))).flat();
          expect({ port, relayQueues: relayQueues.length > 0 }).toEqual({ port, relayQueues: true });
        }
        expect(await scanKeys(SHARED_REDIS_URL, shardGlob(prefix))).toEqual([]);
        expect(await scanKeys(SHARED_REDIS_URL, `${prefix}*`)).toEqual([]);
        for (const r of stack.relays) expect(await scanKeys(SHARED_REDIS_URL, `relay:${r.name}:*`)).toEqual([]);
      }, GROUP_TEST_TIMEOUT_MS);

      it('the start-up check reads every master, and names a cluster that does not answer', async () => {
        const versions = await checkClusterRequirements(parseClusterNodes(cluster.nodes));
        expect(versions).toHaveLength(3);
        for (const v of versions) expect(Number(v.split('.')[0])).toBeGreaterThanOrEqual(7);
        await expect(checkClusterRequirements(parseClusterNodes(`127.0.0.1:${await freePort()}`), 1_000)).rejects.toThrow(/does not answer .*check REDIS_CLUSTER_NODES/);
      });

      // Last (it stops the stack's agent and chat): BullMQ never closes a Cluster client it was given,
      // so ShardedQueue and ShardWorkers must; else each restart of a queue would leak connections.
      it('ShardedQueue and ShardWorkers close every Cluster connection they opened', async () => {
        await stack.chat.stop();
        await stack.agent.stop();
        const clientsOnMasters = async () => {
          let total = 0;
          for (const port of cluster.ports) {
            const client = new Redis(cluster.url(port), { maxRetriesPerRequest: 1 });
            try {
              total += Number(/^connected_clients:(\d+)/m.exec(await client.info('clients'))?.[1]) - 1; // minus this one
            } finally {
              client.disconnect();
            }
          }
          return total;
        };
        const config = { redisUrl: 'redis://unused', clusterNodes: parseClusterNodes(cluster.nodes), prefix, shards: SHARDS };
        const before = await clientsOnMasters();
        const queue = ShardedQueue.open(AGENT_EVENTS_QUEUE, config);
        const workers = ShardWorkers.open(AGENT_EVENTS_QUEUE, async () => 'ok', config, { autorun: true });
        await Promise.all([...queue.shards.map((q) => q.count()), ...workers.workers.map((w) => w.waitUntilReady())]);
        await eventually(async () => (await clientsOnMasters()) > before, { what: 'the queues and workers connected' });
        await workers.close();
        await queue.close();
        await eventually(async () => (await clientsOnMasters()) === before, { timeoutMs: 5_000, what: 'every connection closed' });
      });
    });

    /*
     * Flushing a master takes the relay queues on it with it when the relays store on the cluster:
     * a connected pair's queue is then gone for good, its sends answer 404 and the member fails —
     * by design, as when a relay loses its storage (re-introduction covers only a queue lost before
     * the pair connected). Run with the relays on the cluster, this test ends with "Host2 sees N3 as
     * failed" after the agent's sends got 404 not_found. So here the relays keep the shared Redis and
     * the flush tests what it is about: the queues' shard data lost, the outbox bringing it back.
     */
    describe('the relays on the shared Redis (a flushed master loses only queue data)', () => {
      let stack: ChatStack;
      let prefix: string;
      beforeAll(async () => {
        ({ stack, prefix } = await startClusterStack('shardscf', {}));
      }, STACK_TIMEOUT_MS);
      afterAll(async () => {
        await stack?.stop();
      }, STACK_TIMEOUT_MS);

      it('one master (not the one of shard 0, where the recovery lease lives) flushed mid-joins: its shard marker tells the chat, the outbox brings the work back, the group converges', async () => {
        const { api } = stack;
        const shard0 = await cluster.masterOf(shardPrefix(prefix, 0, SHARDS));
        const victim = cluster.ports.find((p) => p !== shard0)!;
        const setup = await setUpGroup(api, 'Host2', ['N1', 'N2', 'N3', 'N4'], { concurrentJoins: true, unjoined: 2 });
        await eventually(async () => (await api.members(setup.host.userId, setup.groupId)).some((m) => m.connected), { what: 'a first member connected to the host' });
        let lostInFlush: string[] = [];
        // Agent down: the JOINs of N3 and N4 and what follows wait in the queues when the master goes empty.
        await stack.withAgentDown(async () => {
          await Promise.all(setup.members.slice(2).map((m) => api.joinGroup(m.userId, setup.groupId)));
          lostInFlush = await eventually(
            async () => {
              const pending = (await Promise.all(setup.all.map((p) => api.commands(p.userId, 'pending')))).flat();
              return pending.length > 0 && pending.map((c) => c.corrId);
            },
            { what: 'commands waiting for the agent' },
          );
          const before = await queueLossesSeen(stack.chat.url);
          const master = new Redis(cluster.url(victim));
          try {
            expect(await scanKeys(cluster.url(victim), shardGlob(prefix))).not.toHaveLength(0);
            await master.flushall();
          } finally {
            master.disconnect();
          }
          await eventually(async () => (await queueLossesSeen(stack.chat.url)) > before, {
            timeoutMs: Number(TEST_RECONCILE_ENV.RECONCILE_STALE_MS),
            intervalMs: 50,
            what: 'the chat to see one shard flushed',
          });
        });
        await waitForGroupConverged(api, setup);
        // An ACK lost in the flush may still be on its way back when the pairs are connected (ACKs are
        // outside the per-connection order): wait until no command is left, then every lost one must
        // have completed (not failed, not given up).
        await waitForNoCommandLeft(api, setup.all, 30_000);
        const all = (await Promise.all(setup.all.map((p) => api.commands(p.userId)))).flat();
        const byCorrId = new Map(all.map((c) => [c.corrId, c]));
        for (const corrId of lostInFlush) expect({ corrId, status: byCorrId.get(corrId)?.status }).toEqual({ corrId, status: 'completed' });
      }, GROUP_TEST_TIMEOUT_MS);
    });
  });
});
