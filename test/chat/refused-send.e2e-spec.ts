import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { deleteQueueOnRelay } from '../support/relay-storage';
import { ChatStack, setUpGroup, startChatStack, waitForGroupConverged, STACK_TIMEOUT_MS, GROUP_TEST_TIMEOUT_MS } from '../support/chat-stack';

/**
 * No silent dead end: a protocol message whose SEND the relay refuses for good (the peer's queue is
 * gone) does not just vanish — the member it was for shows failed with the reason.
 */
describe('chat: a SEND refused for good', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-refused-send', relays: 1 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it("fails the member the message was for, with the message's type and the reason; the other member is untouched", async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2']);
    await waitForGroupConverged(api, setup);
    const [m1, m2] = setup.members;
    // M1's receive queue of its connection with the host: the queue the host sends M1's messages to.
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    let queue: { rcv_recipient_id: string };
    try {
      const { rows } = await db.query(
        `SELECT a.rcv_recipient_id FROM chat.connections c JOIN agent.connections a ON a.user_id = c.user_id::text AND a.conn_id = c.id
          WHERE c.user_id = $1 AND c.purpose = 'member-host'`,
        [m1.userId],
      );
      queue = rows[0];
    } finally {
      await db.end();
    }
    await deleteQueueOnRelay(stack.redisUrl, stack.relays[0].name, queue.rcv_recipient_id);
    await api.sendMessage(setup.host.userId, setup.groupId, 'to a queue that is gone');
    const failed = await eventually(
      async () => (await api.members(setup.host.userId, setup.groupId)).find((m) => m.memberId === m1.memberId && m.status === 'failed') as { failureReason?: string } | undefined,
      { timeoutMs: 60_000, what: "the host's view of M1 failed" },
    );
    expect(failed.failureReason).toMatch(/^x\.msg\.new refused: RELAY_REFUSED/);
    expect((await api.members(setup.host.userId, setup.groupId)).find((m) => m.memberId === m2.memberId)).toMatchObject({ status: 'connected', connected: true });
    expect((await api.commands(setup.host.userId, 'failed')).map((c) => c.function)).toEqual(['SEND_MESSAGE']);
  }, GROUP_TEST_TIMEOUT_MS);
});
