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
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3', 'M4'], { concurrentJoins: true, unjoined: 2 });
    // Mid-joins: the host has some member connected (introductions under way), not all.
    await eventually(
      async () => {
        const members = await api.members(setup.host.userId, setup.groupId);
        return members.some((m) => m.connected);
      },
      { what: 'a first member connected to the host' },
    );
    // Killed with work in flight: commands recorded and not yet completed. The agent is held down
    // meanwhile and M3, M4 join only then, so their JOINs are in flight at the kill by construction.
    await stack.withAgentDown(async () => {
      await Promise.all(setup.members.slice(2).map((m) => api.joinGroup(m.userId, setup.groupId)));
      const db = new Client({ connectionString: stack.db.url });
      await db.connect();
      try {
        const pending = await eventually(
          async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM chat.commands WHERE status = 'pending'`)).rows[0].n),
          { what: 'commands pending while the agent is down' },
        );
        await stack.chat.kill9();
        expect(pending).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
    });
    const started = Date.now();
    await stack.restartChat();
    await waitForGroupConverged(api, setup);
    console.log(`after SIGKILL mid-joins: converged ${Date.now() - started} ms after the restart`);
    await exchangeGroupMessages(api, setup);
    await waitForNoCommandLeft(api, setup.all, 30_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
