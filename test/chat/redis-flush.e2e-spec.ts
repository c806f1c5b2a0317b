import Redis from 'ioredis';
import { eventually } from '../support/eventually';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, TEST_RECONCILE_ENV, waitForNoCommandLeft } from '../support/chat-stack';

/** gc_chat_queue_losses_total: how many times the chat saw the queue Redis lose its data. */
async function queueLossesSeen(chatUrl: string): Promise<number> {
  const text = await (await fetch(`${chatUrl}/metrics`)).text();
  return Number(/^gc_chat_queue_losses_total(?:\{[^}]*\})?\s+(\S+)/m.exec(text)?.[1] ?? 0);
}

describe('chat: the queue Redis flushed in the middle of the joins', () => {
  let redis: RedisServerProcess;
  let stack: ChatStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    // Queues in db 0 (flushed), the relays' storage in db 1 (a relay's data is not the queues').
    stack = await startChatStack({ label: 'chat-flush', relays: 2, redisUrl: redis.url(0), relayRedisUrl: redis.url(1) });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  }, STACK_TIMEOUT_MS);

  it('the reconciler re-publishes what was lost and the group converges', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4'], { concurrentJoins: true, unjoined: 2 });
    await eventually(async () => (await api.members(setup.host.userId, setup.groupId)).some((m) => m.connected), {
      what: 'a first member connected to the host',
    });
    // With the agent down, the commands published meanwhile wait in Redis: the flush loses them
    // (and any event not yet handled). M3 and M4 join now, so their JOINs are in flight whatever
    // the first joins have already finished.
    let lostInFlush: string[] = [];
    await stack.withAgentDown(async () => {
      await Promise.all(setup.members.slice(2).map((m) => api.joinGroup(m.userId, setup.groupId)));
      lostInFlush = await eventually(
        async () => {
          const pending = (await Promise.all(setup.all.map((p) => api.commands(p.userId, 'pending')))).flat();
          return pending.length > 0 && pending.map((c) => c.corrId);
        },
        { what: 'commands waiting for the agent' },
      );
      const client = new Redis(redis.url(0));
      try {
        expect(await client.dbsize()).toBeGreaterThan(0);
        expect(await queueLossesSeen(stack.chat.url)).toBe(0);
        await client.flushdb();
      } finally {
        client.disconnect();
      }
      // The chat notices the loss on its next reconcile tick (marker key gone) and re-subscribes every
      // waiting connection then, sooner than the first time-based re-subscribe (RECONCILE_STALE_MS).
      await eventually(async () => (await queueLossesSeen(stack.chat.url)) >= 1, {
        timeoutMs: Number(TEST_RECONCILE_ENV.RECONCILE_STALE_MS),
        intervalMs: 50,
        what: 'the chat to see the queue Redis flushed',
      });
    });
    const started = Date.now();
    await waitForGroupConverged(api, setup);
    console.log(`after FLUSHDB of the queue Redis mid-joins: converged ${Date.now() - started} ms later`);
    await exchangeGroupMessages(api, setup);
    // Every command whose job the flush took is done: re-published by the reconciler (attempts > 1)
    // or by the publish that follows the next event on its connection (the next head goes out then).
    const all = (await Promise.all(setup.all.map((p) => api.commands(p.userId)))).flat();
    const byCorrId = new Map(all.map((c) => [c.corrId, c]));
    for (const corrId of lostInFlush) expect({ corrId, status: byCorrId.get(corrId)?.status }).toEqual({ corrId, status: 'completed' });
    console.log(`${lostInFlush.length} command(s) pending at the flush; ${all.filter((c) => c.attempts > 1).length} re-published by the reconciler`);
    await waitForNoCommandLeft(api, setup.all, 30_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
