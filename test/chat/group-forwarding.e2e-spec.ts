import {
  ChatStack,
  exchangeGroupMessages,
  GROUP_TEST_TIMEOUT_MS,
  GroupSetup,
  setUpGroup,
  STACK_TIMEOUT_MS,
  startChatStack,
  waitForGroupConverged,
  waitForNoCommandLeft,
} from '../support/chat-stack';
import { eventually } from '../support/eventually';

interface Progress {
  messagesForwarded: number;
}

describe('chat: group messages forwarded by the host until the members are connected (design §5)', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-forwarding', relays: 2 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('a member joining while a relay is down gets what members it is not connected to sent meanwhile, through the host, once each and in order', async () => {
    const { api } = stack;
    await stack.relays[1].setFaults({ down: true });
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3'], { unjoined: 1, timeoutMs: 150_000 });
    const [m1, m2, m3] = setup.members;
    const host = setup.all[0];
    const g = setup.groupId;
    await waitForGroupConverged(api, { ...setup, members: [m1, m2], all: [host, m1, m2] }, 150_000);

    // M3 is connected to the host; the agent stops before its introductions to M1 and M2 can finish,
    // and meanwhile M1 and M2 send: those messages can only reach M3 through the host for now.
    await api.joinGroup(m3.userId, g);
    await eventually(async () => (await api.members(host.userId, g)).find((m) => m.memberId === m3.memberId)?.connected === true, {
      timeoutMs: 120_000,
      what: 'the host connected with M3',
    });
    const sent: Array<{ from: string; messageId: string }> = [];
    await stack.withAgentDown(async () => {
      const m3View = await api.members(m3.userId, g);
      expect(m3View.filter((m) => m.memberId !== host.memberId && m.connected)).toEqual([]); // not connected to M1, M2
      for (let i = 0; i < 3; i++) {
        for (const p of [m1, m2]) sent.push({ from: p.memberId, messageId: await api.sendMessage(p.userId, g, `${p.name} #${i} while M3 joins`) });
      }
    });

    // They arrive at M3, each once, each sender's in its order — while M3 is not connected to them yet.
    let connectedOnArrival = -1;
    await eventually(
      async () => {
        const got = await api.messages(m3.userId, g);
        for (const s of sent) expect(got.filter((m) => m.messageId === s.messageId)).toHaveLength(1);
        connectedOnArrival = (await api.members(m3.userId, g)).filter((m) => m.memberId !== host.memberId && m.connected).length;
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'M3 holds every message M1 and M2 sent while it joined' },
    );
    const got = await api.messages(m3.userId, g);
    for (const p of [m1, m2]) {
      const order = sent.filter((s) => s.from === p.memberId).map((s) => got.findIndex((m) => m.messageId === s.messageId));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    const m3Forwarded = (await api.request<Progress>('GET', `/users/${m3.userId}/groups/${g}/progress`)).body.messagesForwarded;
    const hostForwarded = (await api.request<Progress>('GET', `/users/${host.userId}/groups/${g}/progress`)).body.messagesForwarded;
    console.log(`forwarding: M3 connected to ${connectedOnArrival} of M1, M2 when all 6 had arrived; M3 got ${m3Forwarded} first by forwarding; the host forwarded ${hostForwarded}`);
    expect(hostForwarded).toBeGreaterThanOrEqual(sent.length); // each went through the host (M3 was not connected to its sender)
    // Some came to M3 first by forwarding: the host forwards only a sender's messages to members it is
    // not connected to. (How many of M3's own connections were up by the last arrival is a race of the
    // two deliveries — relay picks and scheduling — so it is logged above, not asserted.)
    expect(m3Forwarded).toBeGreaterThan(0);

    // Once the mesh is up, the senders' own deliveries of the same messages are dropped as duplicates,
    // and a new round goes directly, exactly once.
    await stack.relays[1].setFaults({ down: false });
    const everyone: GroupSetup = setup;
    await waitForGroupConverged(api, everyone, 150_000);
    await exchangeGroupMessages(api, everyone, 1, 90_000, 'after the mesh is up');
    const after = await api.messages(m3.userId, g);
    for (const s of sent) expect(after.filter((m) => m.messageId === s.messageId)).toHaveLength(1);
    await waitForNoCommandLeft(api, setup.all, 90_000);
  }, GROUP_TEST_TIMEOUT_MS);
});
