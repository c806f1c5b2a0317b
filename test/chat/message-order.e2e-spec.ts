import { randomUUID } from 'node:crypto';
import { AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { openQueue } from '@gc/queueing';
import { Client } from 'pg';
import { ChatStack, setUpGroup, startChatStack, waitForGroupConverged, GroupSetup, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS } from '../support/chat-stack';
import { eventually } from '../support/eventually';

/**
 * The API's rule: messages are listed oldest first, one sender's always in the order that sender sent
 * them, and paged by limit and after. Every member sends a burst at once (the events of one
 * connection are handled concurrently, so arrival order is not send order), at 30% relay faults.
 */
describe('chat: ordered, paged message lists', () => {
  let stack: ChatStack;
  let setup: GroupSetup;
  const BURST = 10;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-order', relays: 2 });
    setup = await setUpGroup(stack.api, 'Host', ['M1', 'M2', 'M3']);
    await waitForGroupConverged(stack.api, setup);
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it("2 chats + 2 agents at 30% faults: every party lists every sender's burst in the order it was sent, and a page by page read is the same list", async () => {
    const [otherChat] = await Promise.all([stack.addChat(), stack.addAgent()]);
    // Half of the users go through each chat replica; both agents work both queues.
    const apiOf = (i: number) => (i % 2 === 0 ? stack.api : stack.api.at(otherChat.url));
    const api = stack.api;
    await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0.3 })));
    const sent = new Map<string, string[]>();
    // Each sender posts its burst one after the other; all senders at the same time.
    await Promise.all(
      setup.all.map(async (p, n) => {
        const ids: string[] = [];
        for (let i = 0; i < BURST; i++) ids.push(await apiOf(n).sendMessage(p.userId, setup.groupId, `${p.name} #${i}`));
        sent.set(p.userId, ids);
      }),
    );
    const total = setup.all.length * BURST;
    for (const p of setup.all) {
      await eventually(async () => (await api.messages(p.userId, setup.groupId)).length >= total, { timeoutMs: 120_000, what: `${p.name} holds all ${total} messages` });
    }
    await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0 })));
    for (const [n, reader] of setup.all.entries()) {
      const listed = await apiOf(n).messages(reader.userId, setup.groupId);
      expect(listed).toHaveLength(total);
      for (const sender of setup.all) {
        const ids = sent.get(sender.userId)!;
        const order = listed.filter((m) => ids.includes(m.messageId)).map((m) => m.messageId);
        expect({ reader: reader.name, sender: sender.name, order }).toEqual({ reader: reader.name, sender: sender.name, order: ids });
      }
      // Oldest first by the listed time, and 7 at a time gives exactly the same list.
      expect(listed.map((m) => m.at)).toEqual([...listed.map((m) => m.at)].sort());
      expect(await api.messages(reader.userId, setup.groupId, 7)).toEqual(listed);
    }
  }, GROUP_TEST_TIMEOUT_MS);

  it("one sender's messages handed to the chat in the reverse order (a retried event overtaken) are still listed in the order sent", async () => {
    const reader = setup.members[0];
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    let hostConn: string;
    let hostMember: string;
    try {
      const { rows } = await db.query(`SELECT id, member_id FROM chat.connections WHERE user_id = $1 AND purpose = 'member-host'`, [reader.userId]);
      [hostConn, hostMember] = [rows[0].id, rows[0].member_id];
    } finally {
      await db.end();
    }
    const base = Date.now();
    const messages = [0, 1, 2].map((i) => ({ msgId: randomUUID(), text: `late #${i}`, sentAt: new Date(base + i).toISOString() }));
    const events = openQueue(AGENT_EVENTS_QUEUE, { redisUrl: stack.redisUrl, prefix: stack.prefix });
    try {
      // What the agent hands the chat, one after the other, newest first.
      for (const m of [...messages].reverse()) {
        const eventId = `i-test-${randomUUID()}`;
        const body = JSON.stringify({ type: 'x.msg.new', ...m });
        await events.add('MSG', { type: 'MSG', eventId, userId: reader.userId, connId: hostConn, agentMsgId: `m-${randomUUID()}`, body }, { jobId: eventId });
        await eventually(async () => (await stack.api.messages(reader.userId, setup.groupId)).some((x) => x.messageId === m.msgId), { what: `${m.text} listed` });
      }
    } finally {
      await events.close();
    }
    const listed = (await stack.api.messages(reader.userId, setup.groupId)).filter((m) => m.fromMemberId === hostMember && m.text.startsWith('late'));
    expect(listed.map((m) => m.text)).toEqual(['late #0', 'late #1', 'late #2']);
  });

  it('a bad page query is a 400: limit out of 1..1000, an unknown `after`, an unknown parameter', async () => {
    const u = setup.host.userId;
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'after=00000000-0000-4000-8000-000000000000', 'order=desc']) {
      const answer = await stack.api.request<{ error: string }>('GET', `/users/${u}/groups/${setup.groupId}/messages?${query}`);
      expect({ query, status: answer.status, error: answer.body.error }).toEqual({ query, status: 400, error: 'bad_request' });
    }
    const first = await stack.api.request<unknown[]>('GET', `/users/${u}/groups/${setup.groupId}/messages?limit=1`);
    expect(first.body).toHaveLength(1);
  });
});
