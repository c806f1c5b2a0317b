import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { deleteQueueAsOwner } from '../support/relay-queue-owner';
import { ChatStack, GroupSetup, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS } from '../support/chat-stack';

describe('chat: a permanently refused invitation', () => {
  let stack: ChatStack;
  let db: Client;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-refused', relays: 2 });
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  /** Deletes, on its relay, the queue behind the host's group invitation for `memberId`. */
  async function deleteInvitationQueue(hostUserId: string, memberId: string): Promise<void> {
    const { rows } = await db.query<{ rcv_relay: string; rcv_recipient_id: string; recipient_private_key: string }>(
      `SELECT a.rcv_relay, a.rcv_recipient_id, a.recipient_private_key FROM chat.connections c
         JOIN agent.connections a ON a.user_id = c.user_id::text AND a.conn_id = c.id
        WHERE c.user_id = $1 AND c.member_id = $2 AND c.purpose = 'host-member'`,
      [hostUserId, memberId],
    );
    expect(rows).toHaveLength(1);
    expect(await deleteQueueAsOwner(rows[0].rcv_relay, rows[0].rcv_recipient_id, rows[0].recipient_private_key)).toBe(204);
  }

  it('the member whose invitation queue is gone is failed with a reason; the rest of the group converges', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'Doomed', 'M3'], {
      concurrentJoins: true,
      beforeJoins: async (s) => deleteInvitationQueue(s.host.userId, s.members.find((m) => m.name === 'Doomed')!.memberId),
    });
    const doomed = setup.members.find((m) => m.name === 'Doomed')!;
    const rest: GroupSetup = { ...setup, members: setup.members.filter((m) => m !== doomed), all: setup.all.filter((p) => p !== doomed) };

    const failed = await eventually(
      async () => {
        const [group] = await api.groups(doomed.userId);
        return group.membership === 'failed' && (await api.commands(doomed.userId, 'failed'));
      },
      { timeoutMs: 60_000, what: 'the doomed membership failed' },
    );
    expect(failed).toEqual([expect.objectContaining({ function: 'JOIN_GROUP', status: 'failed', lastError: expect.stringMatching(/RELAY_REFUSED/) })]);
    const [hostSeenByDoomed] = await api.members(doomed.userId, setup.groupId);
    expect(hostSeenByDoomed).toMatchObject({ memberId: setup.host.memberId, status: 'failed', connected: false });
    expect((hostSeenByDoomed as { failureReason?: string }).failureReason).toMatch(/RELAY_REFUSED/);

    // The host hears of it over their contact connection and fails that member too.
    const seenByHost = await eventually(
      async () => (await api.members(setup.host.userId, setup.groupId)).find((m) => m.memberId === doomed.memberId && m.status === 'failed'),
      { timeoutMs: 60_000, what: "the host's view of the doomed member failed" },
    );
    expect(seenByHost).toMatchObject({ connected: false, failureReason: expect.stringMatching(/RELAY_REFUSED/) });

    await waitForGroupConverged(api, rest);
    for (const p of rest.all) {
      expect(await api.commands(p.userId, 'failed')).toEqual([]);
      const members = await api.members(p.userId, setup.groupId);
      if (p !== setup.host) expect(members.map((m) => m.memberId)).not.toContain(doomed.memberId);
    }

    // The host adds the same contact again: the new invitation is taken (not ignored because the
    // group is known), the member joins and the whole group converges, the doomed one included.
    const contact = (await api.contacts(setup.host.userId)).find((c) => c.displayName === 'Doomed' && c.status === 'connected')!;
    const again = await api.addMember(setup.host.userId, setup.groupId, contact.contactId);
    await eventually(async () => (await api.groups(doomed.userId))[0].membership === 'invited', { timeoutMs: 60_000, what: 'the new invitation taken' });
    await api.joinGroup(doomed.userId, setup.groupId);
    const rejoined = { ...doomed, memberId: again };
    await waitForGroupConverged(api, { ...setup, members: [...rest.members, rejoined], all: [...rest.all, rejoined] });
    expect((await api.groups(doomed.userId))[0].membership).toBe('connected');
  }, GROUP_TEST_TIMEOUT_MS);
});
