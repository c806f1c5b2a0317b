import { AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { openQueue } from '@gc/queueing';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { ChatStack, exchangeGroupMessages, setUpGroup, startChatStack, waitForGroupConverged, GROUP_TEST_TIMEOUT_MS, STACK_TIMEOUT_MS } from '../support/chat-stack';

/** Everything a continuation or an event handler writes, counted. */
async function snapshot(db: Client): Promise<Record<string, string>> {
  const { rows } = await db.query<{ k: string; n: string }>(`
    SELECT 'commands:' || function || ':' || status AS k, count(*)::text AS n FROM chat.commands GROUP BY 1
    UNION ALL SELECT 'members:' || status, count(*)::text FROM chat.members GROUP BY 1
    UNION ALL SELECT 'introductions:' || status, count(*)::text FROM chat.introductions GROUP BY 1
    UNION ALL SELECT 'connections:' || purpose || ':' || stage, count(*)::text FROM chat.connections GROUP BY 1
    UNION ALL SELECT 'contacts', count(*)::text FROM chat.contacts
    UNION ALL SELECT 'groups', count(*)::text FROM chat.groups
    UNION ALL SELECT 'group_messages', count(*)::text FROM chat.group_messages
    UNION ALL SELECT 'pending_deliveries', count(*)::text FROM chat.pending_deliveries
    UNION ALL SELECT 'received_messages', count(*)::text FROM chat.received_messages`);
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

describe('chat: the same event delivered twice', () => {
  let stack: ChatStack;
  let db: Client;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-dupes', relays: 1 });
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('a copy of every event job (completions with corrId, CONF, INFO, CON, MSG) changes no row', async () => {
    const { api } = stack;
    const setup = await setUpGroup(api, 'Host', ['M1', 'M2']);
    await waitForGroupConverged(api, setup);
    await exchangeGroupMessages(api, setup);
    await eventually(async () => {
      for (const p of setup.all) if ((await api.commands(p.userId, 'pending')).length) return false;
      return true;
    }, { what: 'quiet' });
    const before = await snapshot(db);

    const events = openQueue(AGENT_EVENTS_QUEUE, { redisUrl: stack.redisUrl, prefix: stack.prefix });
    try {
      const jobs = (await events.getJobs(['completed'], 0, -1)).filter((j) => !String(j.id).startsWith('dup-'));
      const types = new Set(jobs.map((j) => j.name));
      for (const t of ['INV', 'JOINED', 'ALLOWED', 'CONF', 'INFO', 'CON', 'MSG', 'SENT']) expect(types).toContain(t);
      const copies = await Promise.all(jobs.map((j) => events.add(j.name, j.data, { jobId: `dup-${j.id}` })));
      const outcomes = await eventually(
        async () => {
          const states = await Promise.all(copies.map((c) => events.getJobState(c.id!)));
          if (!states.every((s) => s === 'completed')) return false;
          return Promise.all(copies.map(async (c) => (await events.getJob(c.id!))!.returnvalue as string));
        },
        { timeoutMs: 60_000, what: 'every copy processed' },
      );
      // Each copy of a completion found its command no longer pending.
      const completions = copies.filter((c) => ['INV', 'JOINED', 'ALLOWED', 'SENT', 'ACKED'].includes(c.name));
      expect(completions.length).toBeGreaterThan(0);
      for (const c of completions) expect(outcomes[copies.indexOf(c)]).toBe('duplicate');
    } finally {
      await events.close();
    }
    expect(await snapshot(db)).toEqual(before);
    for (const p of setup.all) {
      expect(await api.commands(p.userId, 'pending')).toEqual([]);
      expect((await api.messages(p.userId, setup.groupId)).length).toBe(setup.all.length);
    }
  }, GROUP_TEST_TIMEOUT_MS);

  it('a malformed event job fails with the reason and touches nothing', async () => {
    const before = await snapshot(db);
    const events = openQueue(AGENT_EVENTS_QUEUE, { redisUrl: stack.redisUrl, prefix: stack.prefix });
    try {
      const job = await events.add('CON', { type: 'CON', eventId: 'evt-malformed-1', userId: 'u1' }, { jobId: 'malformed-1', attempts: 5 });
      const reason = await eventually(async () => (await events.getJobState(job.id!)) === 'failed' && (await events.getJob(job.id!))!.failedReason, {
        what: 'the malformed job failed',
      });
      expect(reason).toMatch(/connId/);
      expect((await events.getJob(job.id!))!.attemptsMade).toBe(1);
    } finally {
      await events.close();
    }
    expect(await snapshot(db)).toEqual(before);
  }, GROUP_TEST_TIMEOUT_MS);
});
