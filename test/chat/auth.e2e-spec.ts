import { Client } from 'pg';
import { API_OPERATIONS } from '../../apps/chat/src/docs/api-operations';
import { ChatStack, connectContacts, startChatStack, STACK_TIMEOUT_MS } from '../support/chat-stack';

/**
 * The API's rule: every /users/:u/... call needs u's bearer token — none or an unknown token → 401, a
 * valid token of another user → 404 — whatever the endpoint. The endpoints are taken from the API's
 * own operation list, so a new one is covered (or this fails) without anyone remembering to add it.
 */
describe('chat: users authenticate with bearer tokens', () => {
  let stack: ChatStack;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-auth', relays: 1 });
    const { api } = stack;
    ids.alice = await api.createUser('Alice');
    ids.bob = await api.createUser('Bob');
    ids.contact = (await connectContacts(api, ids.alice, ids.bob)).onA;
    ids.group = await api.createGroup(ids.alice, 'Alice group');
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  const userOperations = Object.keys(API_OPERATIONS)
    .filter((op) => op.split(' ')[1].startsWith('/users/{userId}'))
    .map((op) => {
      const [method, template] = op.split(' ');
      return { op, method, template };
    });
  const pathOf = (template: string) =>
    template
      .replace('{userId}', ids.alice)
      .replace('{groupId}', ids.group)
      .replace('{contactId}', ids.contact)
      .replace('{memberId}', '00000000-0000-4000-8000-000000000000');

  it('covers every user endpoint of the API', () => {
    expect(userOperations.length).toBeGreaterThanOrEqual(10);
  });

  it('POST /users answers a token of at least 128 random bits, different for every user', async () => {
    const a = stack.api.tokenOf(ids.alice);
    const b = stack.api.tokenOf(ids.bob);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it.each([
    ['no token', null],
    ['a malformed header value', 'not a token'],
    ['an unknown token', 'A'.repeat(43)],
  ] as const)('%s → 401 {error, message} on every user endpoint', async (_what, token) => {
    for (const { op, method, template } of userOperations) {
      const answer = await stack.api.request<{ error: string; message: string }>(method, pathOf(template), method === 'GET' ? undefined : {}, undefined, token);
      expect({ op, status: answer.status, error: answer.body?.error }).toEqual({ op, status: 401, error: 'unauthorized' });
    }
  });

  it("another user's valid token → 404 on every user endpoint, as for another user's objects", async () => {
    for (const { op, method, template } of userOperations) {
      const answer = await stack.api.request<{ error: string }>(method, pathOf(template), method === 'GET' ? undefined : {}, undefined, stack.api.tokenOf(ids.bob));
      expect({ op, status: answer.status }).toEqual({ op, status: 404 });
    }
  });

  it('the right token works as before, and the token is never stored in the clear', async () => {
    expect((await stack.api.request('GET', `/users/${ids.alice}/groups`)).status).toBe(200);
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT * FROM chat.users WHERE id = $1`, [ids.alice]);
      const token = stack.api.tokenOf(ids.alice);
      expect(JSON.stringify(rows[0])).not.toContain(token);
      expect((rows[0].token_hash as Buffer).toString('base64url')).not.toBe(token);
      expect((rows[0].token_hash as Buffer).length).toBe(32);
    } finally {
      await db.end();
    }
  });
});
