import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

/** An hour: within this test the reconciler never re-publishes nor re-subscribes anything. */
const INERT_MS = '3600000';

describe('chat: every command is published after commit, without the reconciler', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({
      label: 'chat-liveness',
      relays: 2,
      chatEnv: { RECONCILE_INTERVAL_MS: INERT_MS, RECONCILE_STALE_MS: INERT_MS },
    });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('host + 4 members converge and deliver messages with the reconciler inert; no command left pending', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4'], { concurrentJoins: true });
    const converged = await waitForGroupConverged(api, setup, 90_000);
    const delivered = await exchangeGroupMessages(api, setup, 2, 60_000);
    console.log(`host + 4 members, reconciler inert: converged in ${converged} ms, messages delivered in ${delivered} ms`);
    await waitForNoCommandLeft(api, setup.all, 20_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
