import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

describe('chat: killed with SIGKILL in the middle of the joins', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-crash', relays: 2 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('restarted, the group converges; nothing failed, nothing left pending', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4'], { concurrentJoins: true });
    // Mid-joins: the host has some member connected (introductions under way), not all.
    await eventually(
      async () => {
        const members = await api.members(setup.host.userId, setup.groupId);
        return members.some((m) => m.connected);
      },
      { what: 'a first member connected to the host' },
    );
    await stack.chat.kill9();
    // Killed with work in flight: commands recorded and not yet completed.
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM chat.commands WHERE status = 'pending'`);
      expect(Number(rows[0].n)).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    const started = Date.now();
    await stack.restartChat();
    await waitForGroupConverged(api, setup);
    console.log(`after SIGKILL mid-joins: converged ${Date.now() - started} ms after the restart`);
    await exchangeGroupMessages(api, setup);
    await waitForNoCommandLeft(api, setup.all, 30_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
