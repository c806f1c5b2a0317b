import { Client } from 'pg';
import {
  ChatStack,
  exchangeGroupMessages,
  GROUP_TEST_TIMEOUT_MS,
  setUpGroup,
  STACK_TIMEOUT_MS,
  startChatStack,
  waitForGroupConverged,
  waitForNoCommandLeft,
} from '../support/chat-stack';
import { eventually } from '../support/eventually';
import { deleteQueueOnRelay } from '../support/relay-storage';

interface Progress {
  reintroductions: number;
  stuck: Array<{ memberId: string; peerMemberId: string; step: string; attempts: number; lastError: string | null }>;
}

/** The receive queue the agent made for `userId`'s introduction group connection with `peerMemberId`, once it exists. */
async function introQueue(stack: ChatStack, userId: string, groupId: string, peerMemberId: string): Promise<{ relayUrl: string; recipientId: string } | null> {
  const db = new Client({ connectionString: stack.db.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ rcv_relay: string; rcv_recipient_id: string }>(
      `SELECT a.rcv_relay, a.rcv_recipient_id FROM chat.connections c JOIN agent.connections a ON a.conn_id = c.id
        WHERE c.user_id = $1 AND c.group_id = $2 AND c.member_id = $3 AND c.purpose = 'intro-group' AND a.rcv_recipient_id IS NOT NULL`,
      [userId, groupId, peerMemberId],
    );
    return rows[0] ? { relayUrl: rows[0].rcv_relay, recipientId: rows[0].rcv_recipient_id } : null;
  } finally {
    await db.end();
  }
}

describe('chat: re-introduction after a permanent failure (design §5)', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({
      label: 'chat-reintro',
      relays: 2,
      chatEnv: { INTRO_RETRY_ATTEMPTS: '3', INTRO_RETRY_BASE_MS: '500', INTRO_RETRY_MAX_MS: '2000' },
    });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('a relay deletes the newcomer’s intro queue before the member joins it: the host re-introduces the pair, which ends connected; /progress showed the retry', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2'], { unjoined: 1, timeoutMs: 150_000 });
    const [m1, m2] = setup.members;
    const host = setup.all[0];
    const g = setup.groupId;
    // Every relay hop slow, so the queue is gone well before M1's JOIN of it (≥ 3 hops later) can be sent.
    await Promise.all(stack.relays.map((r) => r.setFaults({ latencyMs: 300 })));
    await api.joinGroup(m2.userId, g);
    const queue = await eventually(() => introQueue(stack, m2.userId, g, m1.memberId), { timeoutMs: 120_000, intervalMs: 20, what: "M2's intro queue for M1" });
    const relay = stack.relays.find((r) => r.url.replace(/\/$/, '') === queue.relayUrl.replace(/\/$/, ''))!;
    await deleteQueueOnRelay(stack.redisUrl, relay.name, queue.recipientId);
    await Promise.all(stack.relays.map((r) => r.setFaults({ latencyMs: 0 })));

    // M1's JOIN is refused for good (unknown queue): the host hears it and re-introduces the pair.
    let sawRetry: Progress['stuck'][number] | undefined;
    await eventually(
      async () => {
        const p = (await api.request<Progress>('GET', `/users/${host.userId}/groups/${g}/progress`)).body;
        sawRetry ??= p.stuck.find((s) => s.step === 'WAITING_FOR_REINTRODUCTION');
        return p.reintroductions >= 1;
      },
      { timeoutMs: 120_000, intervalMs: 50, what: 'the host re-introduced M1 and M2' },
    );
    await waitForGroupConverged(api, setup, 150_000);
    // The members see each other connected first; the host learns it from their x.grp.mem.con, a
    // message later (it may ride in the same SEND as what was waiting on their connection to the host).
    const progress = await eventually(
      async () => {
        const p = (await api.request<Progress>('GET', `/users/${host.userId}/groups/${g}/progress`)).body;
        return p.stuck.length === 0 && p;
      },
      { timeoutMs: 30_000, what: "the host's /progress with no pair stuck" },
    );
    console.log(`re-introduction: ${progress.reintroductions} re-introduction(s); the stuck pair seen while waiting: ${JSON.stringify(sawRetry)}`);
    expect(progress).toMatchObject({ stuck: [] });
    expect(progress.reintroductions).toBeGreaterThanOrEqual(1);
    // The relay's answer body is never echoed (docs/security.md): its status and error code are.
    expect(sawRetry?.lastError).toMatch(/answered 404 .*not_found/);

    await exchangeGroupMessages(api, setup, 1, 90_000, 'after the re-introduction');
    // The first attempt's refused JOIN was withdrawn with its connection: nothing failed, nothing pending.
    await waitForNoCommandLeft(api, setup.all, 90_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
