import { randomBytes, randomUUID } from 'node:crypto';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { AGENT_EVENTS_QUEUE, encodeInvitation } from '@gc/contracts';
import { openQueue } from '@gc/queueing';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { ChatStack, GroupSetup, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS } from '../support/chat-stack';

/**
 * The API's rule: an invitation is validated where it arrives — the API (400 with the reason) and the
 * group protocol (a peer's invitation refused with the reason recorded) — and a refused one is never
 * fetched: a trap listening on a loopback port that is not one of this deployment's relays must see
 * no connection at all.
 */
describe('chat: invitations are validated where they arrive', () => {
  let stack: ChatStack;
  let trap: Server;
  const trapped: Socket[] = [];
  let setup: GroupSetup;
  let events: Queue;

  beforeAll(async () => {
    trap = createServer((s) => trapped.push(s.destroy()));
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    stack = await startChatStack({ label: 'chat-invitations', relays: 1 });
    events = openQueue(AGENT_EVENTS_QUEUE, { redisUrl: stack.redisUrl, prefix: stack.prefix });
    setup = await setUpGroup(stack.api, 'Host', ['M1', 'M2']);
    await waitForGroupConverged(stack.api, setup);
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await events?.close();
    await stack?.stop();
    await new Promise((r) => trap?.close(r));
  }, STACK_TIMEOUT_MS);

  const trapUrl = () => `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  const dhKey = randomBytes(32).toString('base64url');
  const inv = (relay: string) => encodeInvitation({ v: 2, relay, senderId: 'A'.repeat(22), dhKey });
  const raw = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const corpus = (): Array<[string, string, RegExp]> => [
    ['garbage', '%%% not an invitation %%%', /base64url/],
    ['a wrong version', raw({ v: 1, relay: trapUrl(), senderId: 'A'.repeat(22) }), /version 1/],
    ['file:', inv('file:///etc/passwd'), /scheme file:/],
    ['gopher:', inv(`gopher://127.0.0.1:${(trap.address() as AddressInfo).port}`), /scheme gopher:/],
    ['a path', inv(`${trapUrl()}/admin/faults`), /no path/],
    ['a query', inv(`${trapUrl()}?x=1`), /query/],
    ['userinfo', inv(`http://user:pw@127.0.0.1:${(trap.address() as AddressInfo).port}`), /userinfo/],
    ['cloud metadata', inv('http://169.254.169.254'), /internal address/],
    ['a 10.x address', inv('http://10.11.12.13:4000'), /internal address/],
    ['a loopback port that is not one of our relays', inv(trapUrl()), /internal address/],
  ];

  it('POST /users/:u/contacts answers 400 with the reason for each, and stores nothing', async () => {
    const eve = await stack.api.createUser('Eve');
    for (const [what, invitation, reason] of corpus()) {
      const answer = await stack.api.request<{ error: string; message: string }>('POST', `/users/${eve}/contacts`, { invitation });
      expect({ what, status: answer.status, error: answer.body.error }).toEqual({ what, status: 400, error: 'bad_request' });
      expect(answer.body.message).toMatch(reason);
    }
    expect(await stack.api.contacts(eve)).toEqual([]);
    expect(await stack.api.commands(eve)).toEqual([]);
    expect(trapped).toHaveLength(0);
  });

  it("a peer's x.grp.mem.fwd with an unacceptable invitation is refused with the reason, never joined; the group is otherwise as it was", async () => {
    const victim = setup.members[1];
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    let hostConn: string;
    try {
      const { rows } = await db.query(`SELECT id FROM chat.connections WHERE user_id = $1 AND purpose = 'member-host'`, [victim.userId]);
      hostConn = rows[0].id;
    } finally {
      await db.end();
    }
    const joinsOf = async () => (await stack.api.commands(victim.userId)).filter((c) => c.function === 'JOIN_FORWARDED_INTRO').length;
    const joinsBefore = await joinsOf();
    // What the agent would hand the chat had the host (or anyone holding its connection) sent this.
    const mallory = randomUUID();
    const body = JSON.stringify({ type: 'x.grp.mem.fwd', memberId: mallory, displayName: 'Mallory', groupInvitation: inv(trapUrl()), directInvitation: inv('http://169.254.169.254') });
    const eventId = `i-test-${randomUUID()}`;
    await events.add('MSG', { type: 'MSG', eventId, userId: victim.userId, connId: hostConn, agentMsgId: `m-${randomUUID()}`, body }, { jobId: eventId });
    const refused = await eventually(
      async () => (await stack.api.members(victim.userId, setup.groupId)).find((m) => m.memberId === mallory && m.status === 'failed') as { failureReason?: string } | undefined,
      { what: 'the forwarded member refused' },
    );
    expect(refused.failureReason).toMatch(/invitation refused: .*internal address/);
    expect(await joinsOf()).toBe(joinsBefore); // no JOIN of Mallory's invitations
    expect(trapped).toHaveLength(0);
    await waitForGroupConverged(stack.api, setup);
  }, GROUP_TEST_TIMEOUT_MS);
});
