import { eventually } from '../support/eventually';
import { Client } from 'pg';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS } from '../support/chat-stack';

describe('chat: members joining concurrently', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-concurrent', relays: 2 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('all members join at once: the group converges and no pair is introduced twice', async () => {
    const { api } = stack;
    const names = ['M1', 'M2', 'M3', 'M4', 'M5'];
    const started = Date.now();
    const setup = await setUpGroup(api, 'Host', names, { concurrentJoins: true });
    await waitForGroupConverged(api, setup);
    console.log(`host + ${names.length} members joining at once, 0% faults: converged in ${Date.now() - started} ms`);
    await exchangeGroupMessages(api, setup);

    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ new_member_id: string; existing_member_id: string; status: string }>(
        `SELECT new_member_id, existing_member_id, status FROM chat.introductions WHERE user_id = $1 AND group_id = $2`,
        [setup.host.userId, setup.groupId],
      );
      const pairs = rows.map((r) => [r.new_member_id, r.existing_member_id].sort().join('/'));
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(rows).toHaveLength((names.length * (names.length - 1)) / 2);
      const memberIds = new Set(setup.members.map((m) => m.memberId));
      for (const r of rows) {
        expect(memberIds.has(r.new_member_id) && memberIds.has(r.existing_member_id)).toBe(true);
      }
      // Every introduction reaches its end (x.grp.mem.con back at the host).
      await eventually(
        async () => {
          const { rows: open } = await db.query(`SELECT 1 FROM chat.introductions WHERE status <> 'connected'`);
          return open.length === 0;
        },
        { what: 'every introduction connected' },
      );
      const { rows: intros } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM chat.commands WHERE function = 'CREATE_INTRO_INVITATIONS'`,
      );
      // Two connections (group + direct) per introduced pair, opened by the newcomer.
      expect(Number(intros[0].n)).toBe(rows.length * 2);
    } finally {
      await db.end();
    }
  }, GROUP_TEST_TIMEOUT_MS);
});
