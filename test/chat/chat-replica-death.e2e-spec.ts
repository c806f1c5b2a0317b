import { eventually } from '../support/eventually';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { dropKeys, scanKeys } from '../support/test-isolation';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

/**
 * Two chat replicas; the one doing the outbox recovery (it started first, so it holds the recovery
 * lease) is killed for good mid-joins, and then every job of both queues is lost (their keys deleted;
 * the lease and the queue-loss marker stay, as when a queue's keys are evicted or deleted by hand).
 * Only the outbox's recovery (stale heads re-published, waiting connections re-subscribed) brings the
 * lost commands and events back, so the group converges only if the surviving replica takes the
 * recovery over once the dead one's lease lapses (3 ticks).
 */
describe('chat: one chat replica of two dies for good, then the queues lose their jobs', () => {
  let redis: RedisServerProcess;
  let stack: ChatStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startChatStack({ label: 'chat-replica', relays: 2, redisUrl: redis.url(0), relayRedisUrl: redis.url(1) });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  }, STACK_TIMEOUT_MS);

  it('the survivor serves the API, handles the events and recovers the lost jobs; the group converges', async () => {
    const survivor = await stack.addChat();
    const setup = await setUpGroup(stack.api, 'Host', ['M1', 'M2', 'M3', 'M4'], { concurrentJoins: true, unjoined: 2 });
    await eventually(async () => (await stack.api.members(setup.host.userId, setup.groupId)).some((m) => m.connected), {
      what: 'a first member connected to the host',
    });
    await stack.chat.kill9();
    const api = stack.api.at(survivor.url);
    await stack.withAgentDown(async () => {
      await Promise.all(setup.members.slice(2).map((m) => api.joinGroup(m.userId, setup.groupId)));
      await eventually(async () => (await Promise.all(setup.all.map((p) => api.commands(p.userId, 'pending')))).flat().length > 0, {
        what: 'commands waiting for the agent',
      });
      const lost = await scanKeys(redis.url(0), `${stack.prefix}:agent-*`);
      expect(lost.length).toBeGreaterThan(0);
      await dropKeys(redis.url(0), `${stack.prefix}:agent-*`);
      expect(await scanKeys(redis.url(0), `${stack.prefix}:chat:recovery-lease`)).toHaveLength(1);
    });
    const started = Date.now();
    await waitForGroupConverged(api, setup, 60_000);
    console.log(`one chat of two killed for good, the queues' jobs lost: converged ${Date.now() - started} ms later, through the survivor`);
    await exchangeGroupMessages(api, setup);
    await waitForNoCommandLeft(api, setup.all, 30_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
