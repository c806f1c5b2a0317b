import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

describe('chat: a group converges over flaky relays', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-faults', relays: 2 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('host + 5 members at 30% relay faults on 2 relays: converged, messages exactly once, nothing failed or pending', async () => {
    const { api } = stack;
    await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0.3 })));
    const started = Date.now();
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4', 'M5'], { timeoutMs: 150_000 });
    const joined = Date.now() - started;
    await waitForGroupConverged(api, setup, 180_000);
    const converged = Date.now() - started;
    const delivered = await exchangeGroupMessages(api, setup, 1, 120_000);
    console.log(
      `host + 5 members, 30% faults on 2 relays: all joined ${joined} ms, converged ${converged} ms (from group creation), messages ${delivered} ms`,
    );
    await waitForNoCommandLeft(api, setup.all, 60_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
