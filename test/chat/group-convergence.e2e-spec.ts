import { Client } from 'pg';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS, waitForNoCommandLeft } from '../support/chat-stack';

describe('chat: a group converges at 0% faults', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-group0', relays: 2 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('agent and chat straight to Postgres prepare their statements (DATABASE_PREPARED_STATEMENTS=auto), and everything below runs on them', () => {
    for (const app of [stack.agent, stack.chat]) expect(app.output()).toContain('named statements on: DATABASE_PREPARED_STATEMENTS=auto');
  });

  it('host + 3 members: all connected to each other, direct contacts, messages exactly once, no failed or pending command', async () => {
    const { api } = stack;
    const started = Date.now();
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2', 'M3']);
    await waitForGroupConverged(api, setup);
    const converged = Date.now() - started;
    const delivered = await exchangeGroupMessages(api, setup, 2);
    console.log(`host + 3 members, 0% faults: converged in ${converged} ms, messages delivered in ${delivered} ms`);
    for (const p of setup.all) {
      const members = await api.members(p.userId, setup.groupId);
      expect(members).toHaveLength(setup.all.length - 1);
      for (const other of setup.all.filter((o) => o.userId !== p.userId)) {
        expect(members).toContainEqual(expect.objectContaining({ memberId: other.memberId, displayName: other.name, status: 'connected', connected: true }));
      }
    }
    await waitForNoCommandLeft(api, setup.all, 20_000);

    // The members joined one after the other: M2 was introduced to M1, M3 to M1 and M2 — three intros.
    // Every member's x.grp.acpt said it reads batched bodies, so the host sent each newcomer its
    // intros in one SEND: two SENDs, the second carrying two intros.
    const pg = new Client({ connectionString: stack.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ body: string }>(
        `SELECT command->>'body' AS body FROM chat.commands WHERE user_id = $1 AND function = 'SEND_MESSAGE' AND continuation->>'message' = 'x.grp.mem.intro' ORDER BY id`,
        [setup.host.userId],
      );
      const intros = rows.map((r) => JSON.parse(r.body) as unknown).map((body) => (Array.isArray(body) ? body.length : 1));
      expect(intros).toEqual([1, 2]);
    } finally {
      await pg.end();
    }
  }, GROUP_TEST_TIMEOUT_MS);

  it('host + 10 joining at once: every pair connected; what queued behind a SEND on a member↔host connection went out in one batched body', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host10', Array.from({ length: 10 }, (_, i) => `N${i + 1}`), { concurrentJoins: true });
    await waitForGroupConverged(api, setup);
    await waitForNoCommandLeft(api, setup.all, 30_000);
    // Each newcomer's x.grp.mem.inv (one per member it is introduced to) and the host's x.grp.mem.new/.fwd
    // wait behind the SEND in flight on their connection; they are folded into the waiting one.
    const pg = new Client({ connectionString: stack.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ body: string }>(
        `SELECT c.command->>'body' AS body FROM chat.commands c JOIN chat.connections cn ON cn.id = c.conn_id
          WHERE c.user_id = ANY($1::uuid[]) AND c.function = 'SEND_MESSAGE' AND cn.purpose IN ('member-host', 'host-member')`,
        [setup.all.map((p) => p.userId)],
      );
      const bodies = rows.map((r) => JSON.parse(r.body) as unknown).map((body) => (Array.isArray(body) ? body : [body]) as { type: string }[]);
      const sizes = bodies.map((b) => b.length);
      const messages = sizes.reduce((a, b) => a + b, 0);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(rows.length).toBeLessThan(messages);
      // x.grp.mem.new too (the host's, one per pair): as SENDs of their own, up to 9 of them queued on an
      // early member's connection, each behind the previous one's round trip.
      const news = bodies.map((b) => b.filter((m) => m.type === 'x.grp.mem.new').length).filter((n) => n > 0);
      expect(news.reduce((a, b) => a + b, 0)).toBe((10 * 9) / 2);
      expect(Math.max(...news)).toBeGreaterThan(1);
    } finally {
      await pg.end();
    }
  }, GROUP_TEST_TIMEOUT_MS);
});
