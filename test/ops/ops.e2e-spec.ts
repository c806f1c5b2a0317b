import { readFileSync } from 'node:fs';
import { freePort } from '../support/free-port';
import { eventually } from '../support/eventually';
import { ChatStack, connectContacts, GroupSetup, setUpGroup, startChatStack, waitForGroupConverged } from '../support/chat-stack';
import { startService } from '../support/service-process';
import { createTestDatabase, SHARED_REDIS_URL, testQueuePrefix } from '../support/test-isolation';

interface Progress {
  pairsConnected: number;
  pairsTotal: number;
  members: Array<{ memberId: string; status: string; connected: boolean }>;
  stuck: Array<{ memberId: string; peerMemberId: string; step: string; since: string; attempts: number; lastError: string | null }>;
}

async function metrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text();
}

/** The value of one series (exact labels, any order); undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Operability of the running system: /progress, /metrics on all three apps, /docs, and the
 * production guard of Bull Board. One stack (2 relays, agent, chat), one group of host + 2.
 */
describe('operability: progress, metrics, docs', () => {
  let stack: ChatStack;
  let setup: GroupSetup;
  const progress = async (userId: string, groupId: string, query = '') => stack.api.request<Progress>('GET', `/users/${userId}/groups/${groupId}/progress${query}`);

  beforeAll(async () => {
    stack = await startChatStack({ label: 'ops', relays: 2 });
    setup = await setUpGroup(stack.api, 'Host', ['M1', 'M2']);
    await waitForGroupConverged(stack.api, setup);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('progress of a converged group: the host sees 3/3 pairs, each member its 2, nothing stuck', async () => {
    // The host learns that an introduced pair connected from their x.grp.mem.con, a moment after they do.
    const host = await eventually(
      async () => {
        const answer = await progress(setup.host.userId, setup.groupId);
        return answer.status === 200 && answer.body.pairsConnected === 3 ? answer : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "the host's progress at 3/3" },
    );
    expect(host.body).toMatchObject({ pairsConnected: 3, pairsTotal: 3, stuck: [] });
    expect(host.body.members.map((m) => m.memberId).sort()).toEqual(setup.members.map((m) => m.memberId).sort());
    expect(host.body.members.every((m) => m.status === 'connected' && m.connected)).toBe(true);
    for (const m of setup.members) {
      expect((await progress(m.userId, setup.groupId)).body).toMatchObject({ pairsConnected: 2, pairsTotal: 2, stuck: [] });
    }
  });

  it('progress follows the API\'s rules: 404 for unknown or foreign ids, 400 for a query parameter', async () => {
    const stranger = await stack.api.createUser('Stranger');
    const cases: Array<[string, string, number]> = [
      ['unknown user', `/users/00000000-0000-4000-8000-000000000000/groups/${setup.groupId}/progress`, 404],
      ['malformed user id', `/users/nope/groups/${setup.groupId}/progress`, 404],
      ["another user's group", `/users/${stranger}/groups/${setup.groupId}/progress`, 404],
      ['malformed group id', `/users/${setup.host.userId}/groups/nope/progress`, 404],
      ['unknown query parameter', `/users/${setup.host.userId}/groups/${setup.groupId}/progress?verbose=1`, 400],
    ];
    for (const [what, path, status] of cases) {
      // The stranger's valid token on paths of users it cannot know: the check named, not the 401 before it.
      const token = path.startsWith(`/users/${setup.host.userId}/`) || path.startsWith(`/users/${stranger}/`) ? undefined : stack.api.tokenOf(stranger);
      const answer = await stack.api.request<{ error: string; message: string }>('GET', path, undefined, undefined, token);
      expect({ what, status: answer.status, shape: Object.keys(answer.body ?? {}).sort() }).toEqual({ what, status, shape: ['error', 'message'] });
    }
  });

  it('metrics after convergence: commands, round trips, events, continuations and queue depth (chat); commands and relay latency (agent); requests (relay)', async () => {
    // Completions are counted from the round-trip measurements, which the chat reads in batches a
    // moment after the events (EventMetricsObserver): wait for the last completion of the group.
    const chat = await eventually(
      async () => {
        const text = await metrics(stack.chat.url);
        return sample(text, 'gc_chat_commands', { function: 'ALLOW_INTRO', status: 'completed' }) === 2 && text;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'gc_chat_commands to count the group\'s completions' },
    );
    expect(sample(chat, 'gc_chat_commands', { function: 'CREATE_GROUP_MEMBER_INVITATION', status: 'completed' })).toBe(2);
    expect(sample(chat, 'gc_chat_commands', { function: 'ALLOW_INTRO', status: 'completed' })).toBe(2);
    // Timed when their completion event resumed them (a STATUS recovery may complete one instead).
    expect(sample(chat, 'gc_chat_command_round_trip_seconds_count', { function: 'JOIN_GROUP', status: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(chat, 'gc_chat_continuation_duration_seconds_count', { function: 'CREATE_INTRO_INVITATIONS' })).toBeGreaterThanOrEqual(1);
    expect(sample(chat, 'gc_chat_events_processed_total', { type: 'CON' })).toBeGreaterThanOrEqual(6);
    expect(sample(chat, 'gc_chat_events_processed_total', { type: 'INV', outcome: 'resumed' })).toBeGreaterThanOrEqual(5);
    for (const queue of ['agent-commands', 'agent-events']) {
      for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) expect(sample(chat, 'gc_queue_jobs', { queue, state })).toBeGreaterThanOrEqual(0);
    }

    const agent = await metrics(stack.agent.url);
    expect(sample(agent, 'gc_agent_commands_total', { type: 'CREATE', outcome: 'completed' })).toBeGreaterThanOrEqual(5);
    expect(sample(agent, 'gc_agent_commands_total', { type: 'ALLOW', outcome: 'completed' })).toBeGreaterThanOrEqual(3);
    const relayLatency = stack.relays.map((r) => sample(agent, 'gc_agent_relay_request_seconds_count', { relay: r.url, method: 'POST', status: '201' }) ?? 0);
    expect(relayLatency.reduce((a, b) => a + b)).toBeGreaterThan(10);
    // Operations per relay request: every queue operation went alone or in a POST /batch, and is counted.
    const operations = stack.relays.map((r) => sample(agent, 'gc_agent_relay_batch_operations_sum', { relay: r.url }) ?? 0);
    expect(operations.reduce((a, b) => a + b)).toBeGreaterThan(10);

    for (const relay of stack.relays) {
      const text = await metrics(relay.url);
      // Sends go alone or, several at once, in a POST /batch (counted per operation).
      const alone = sample(text, 'gc_relay_requests_total', { route: '/queues/:senderId/messages', method: 'POST', status: '201' }) ?? 0;
      const batched = sample(text, 'gc_relay_batched_operations_total', { operation: 'send', status: '201' }) ?? 0;
      expect(alone + batched).toBeGreaterThan(0);
      expect(text).not.toMatch(/route="\/queues\/[A-Za-z0-9_-]{10,}/); // ids never become labels
    }
  });

  it('a member whose invitation waits on dead relays is stuck at its command with the relay error; retries and faults are counted', async () => {
    const { api } = stack;
    const m3 = await api.createUser('M3');
    const { onA } = await connectContacts(api, setup.host.userId, m3);
    const retriesBefore = sample(await metrics(stack.agent.url), 'gc_agent_transient_retries_total') ?? 0;
    await Promise.all(stack.relays.map((r) => r.setFaults({ down: true })));
    try {
      const memberId = await api.addMember(setup.host.userId, setup.groupId, onA);
      const stuck = await eventually(
        async () => {
          const p = (await progress(setup.host.userId, setup.groupId)).body;
          const entry = p.stuck.find((s) => s.peerMemberId === memberId && s.step === 'CREATE_GROUP_MEMBER_INVITATION');
          return entry && entry.attempts >= 2 && entry.lastError ? { p, entry } : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the new member stuck at its CREATE, with an error' },
      );
      expect(stuck.p).toMatchObject({ pairsConnected: 3, pairsTotal: 6 });
      expect(stuck.entry).toMatchObject({ memberId: setup.host.memberId, peerMemberId: memberId });
      expect(stuck.entry.lastError).toMatch(/relay|fetch|socket|ECONN|terminated/i);
      expect(Date.parse(stuck.entry.since)).toBeLessThanOrEqual(Date.now());
      // The member pairs with M3 wait for M3 to be connected to the host first.
      const waiting = stuck.p.stuck.filter((s) => s.step === 'WAITING_FOR_HOST_CONNECTION').map((s) => s.memberId);
      expect(waiting).toEqual([memberId, memberId]);

      const agent = await metrics(stack.agent.url);
      expect(sample(agent, 'gc_agent_transient_retries_total')!).toBeGreaterThan(retriesBefore);
      expect(sample(agent, 'gc_agent_commands_total', { type: 'CREATE', outcome: 'transient' })).toBeGreaterThan(0);
      const down = await Promise.all(stack.relays.map(async (r) => sample(await metrics(r.url), 'gc_relay_faults_injected_total', { kind: 'down' }) ?? 0));
      expect(down.reduce((a, b) => a + b)).toBeGreaterThan(0);
    } finally {
      await Promise.all(stack.relays.map((r) => r.setFaults({ down: false })));
    }
  });

  it('/docs serves Swagger UI; /docs-json documents every controller route with a body and answer examples', async () => {
    const ui = await fetch(`${stack.chat.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger-ui/i);
    const doc = (await (await fetch(`${stack.chat.url}/docs-json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown; schema?: unknown }> }; responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
    expect(operations.map((o) => o.key).sort()).toEqual(
      expect.arrayContaining(['POST /users', 'POST /users/{userId}/groups/{groupId}/members', 'GET /users/{userId}/groups/{groupId}/progress', 'GET /users/{userId}/commands']),
    );
    expect(operations.map((o) => o.key)).not.toContain('GET /metrics');
    for (const { key, op } of operations) {
      const answers = Object.entries(op.responses);
      expect({ key, answered: answers.length > 0 }).toEqual({ key, answered: true });
      for (const [status, r] of answers) expect({ key, status, example: r.content?.['application/json']?.example !== undefined }).toEqual({ key, status, example: true });
    }
    for (const key of ['POST /users', 'POST /users/{userId}/contacts', 'POST /users/{userId}/groups', 'POST /users/{userId}/groups/{groupId}/members', 'POST /users/{userId}/groups/{groupId}/messages']) {
      const body = operations.find((o) => o.key === key)!.op.requestBody?.content['application/json'];
      expect({ key, schema: !!body?.schema, example: body?.example !== undefined }).toEqual({ key, schema: true, example: true });
    }
  });

  it('NODE_ENV=production without BULL_BOARD_PASSWORD: the chat exits 1 naming the variable', async () => {
    const db = await createTestDatabase('ops-prod');
    try {
      const chat = await startService(
        'chat',
        'ops-prod-chat',
        await freePort(),
        { NODE_ENV: 'production', REDIS_URL: SHARED_REDIS_URL, QUEUE_PREFIX: testQueuePrefix('ops-prod'), DATABASE_URL: db.url },
        { waitHealthy: false },
      );
      expect(await chat.exited).toBe(1);
      await eventually(() => /BULL_BOARD_PASSWORD: required when NODE_ENV=production/.test(readFileSync(chat.logFile, 'utf8')), {
        timeoutMs: 5_000,
        what: 'the reason in the log',
      });
    } finally {
      await db.drop();
    }
  });
});
