import { ChatStack, connectContacts, startChatStack, STACK_TIMEOUT_MS } from '../support/chat-stack';

interface Case {
  name: string;
  method: string;
  path: () => string;
  body?: unknown | (() => unknown);
  raw?: string;
  /** Whose token to send (default: the path's own user's); an unknown user's path gets Alice's. */
  as?: string;
  status: number;
}

describe('chat: every endpoint refuses bad input with 4xx {error, message}', () => {
  let stack: ChatStack;
  const ids: Record<string, string> = {};
  const UNKNOWN = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-badinput', relays: 1 });
    const { api } = stack;
    ids.alice = await api.createUser('Alice');
    ids.bob = await api.createUser('Bob');
    ids.carol = await api.createUser('Carol');
    ids.group = await api.createGroup(ids.alice, 'Alice group');
    ids.carolGroup = await api.createGroup(ids.carol, 'Carol group');
    ids.contact = (await connectContacts(api, ids.alice, ids.bob)).onA;
    ids.carolContact = await api.createInvitation(ids.carol);
    ids.pendingContact = await api.createInvitation(ids.alice);
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  const cases: Case[] = [
    { name: 'unknown route', method: 'GET', path: () => '/nope', status: 404 },
    { name: 'POST /users without displayName', method: 'POST', path: () => '/users', body: {}, status: 400 },
    { name: 'POST /users with an empty displayName', method: 'POST', path: () => '/users', body: { displayName: '' }, status: 400 },
    { name: 'POST /users with a blank displayName', method: 'POST', path: () => '/users', body: { displayName: '   ' }, status: 400 },
    { name: 'POST /users with 101 characters', method: 'POST', path: () => '/users', body: { displayName: 'x'.repeat(101) }, status: 400 },
    { name: 'POST /users with a number', method: 'POST', path: () => '/users', body: { displayName: 42 }, status: 400 },
    { name: 'POST /users with an array body', method: 'POST', path: () => '/users', body: [{ displayName: 'A' }], status: 400 },
    { name: 'POST /users with malformed JSON', method: 'POST', path: () => '/users', raw: '{"displayName": ', status: 400 },
    { name: 'POST /users with a body over 64 KiB', method: 'POST', path: () => '/users', body: { displayName: 'x'.repeat(70_000) }, status: 413 },
    { name: 'POST invitations of an unknown user', as: 'alice', method: 'POST', path: () => `/users/${UNKNOWN}/invitations`, status: 404 },
    { name: 'POST invitations of a malformed user id', as: 'alice', method: 'POST', path: () => '/users/not-an-id/invitations', status: 404 },
    { name: 'POST contacts without invitation', method: 'POST', path: () => `/users/${ids.bob}/contacts`, body: {}, status: 400 },
    { name: 'POST contacts with a numeric invitation', method: 'POST', path: () => `/users/${ids.bob}/contacts`, body: { invitation: 7 }, status: 400 },
    { name: 'POST contacts with an empty invitation', method: 'POST', path: () => `/users/${ids.bob}/contacts`, body: { invitation: '' }, status: 400 },
    { name: 'POST contacts with an oversized invitation', method: 'POST', path: () => `/users/${ids.bob}/contacts`, body: { invitation: 'x'.repeat(5_000) }, status: 400 },
    { name: 'GET contacts of an unknown user', as: 'alice', method: 'GET', path: () => `/users/${UNKNOWN}/contacts`, status: 404 },
    { name: 'GET an unknown contact', method: 'GET', path: () => `/users/${ids.alice}/contacts/${UNKNOWN}`, status: 404 },
    { name: "GET another user's contact", method: 'GET', path: () => `/users/${ids.alice}/contacts/${ids.carolContact}`, status: 404 },
    { name: 'POST groups without name', method: 'POST', path: () => `/users/${ids.alice}/groups`, body: {}, status: 400 },
    { name: 'POST groups with an empty name', method: 'POST', path: () => `/users/${ids.alice}/groups`, body: { name: '' }, status: 400 },
    { name: 'POST groups with 101 characters', method: 'POST', path: () => `/users/${ids.alice}/groups`, body: { name: 'g'.repeat(101) }, status: 400 },
    { name: 'POST groups with a boolean name', method: 'POST', path: () => `/users/${ids.alice}/groups`, body: { name: true }, status: 400 },
    { name: 'POST groups of an unknown user', as: 'alice', method: 'POST', path: () => `/users/${UNKNOWN}/groups`, body: { name: 'g' }, status: 404 },
    { name: 'GET groups of an unknown user', as: 'alice', method: 'GET', path: () => `/users/${UNKNOWN}/groups`, status: 404 },
    { name: 'POST members without contactId', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/members`, body: {}, status: 400 },
    { name: 'POST members with a numeric contactId', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/members`, body: { contactId: 5 }, status: 400 },
    { name: 'POST members with an unknown contact', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/members`, body: { contactId: UNKNOWN }, status: 404 },
    { name: "POST members with another user's contact", method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/members`, body: () => ({ contactId: ids.carolContact }), status: 404 },
    { name: 'POST members with a contact not connected yet', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/members`, body: () => ({ contactId: ids.pendingContact }), status: 409 },
    { name: "POST members into another user's group", method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.carolGroup}/members`, body: () => ({ contactId: ids.contact }), status: 404 },
    { name: 'POST members into an unknown group', method: 'POST', path: () => `/users/${ids.alice}/groups/${UNKNOWN}/members`, body: () => ({ contactId: ids.contact }), status: 404 },
    { name: 'POST join of an unknown group', method: 'POST', path: () => `/users/${ids.bob}/groups/${UNKNOWN}/join`, status: 404 },
    { name: "POST join of another user's group", method: 'POST', path: () => `/users/${ids.bob}/groups/${ids.group}/join`, status: 404 },
    { name: 'POST join of a group one hosts', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/join`, status: 409 },
    { name: "GET members of another user's group", method: 'GET', path: () => `/users/${ids.bob}/groups/${ids.group}/members`, status: 404 },
    { name: 'GET members of a malformed group id', method: 'GET', path: () => `/users/${ids.alice}/groups/123/members`, status: 404 },
    { name: 'POST messages without text', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/messages`, body: {}, status: 400 },
    { name: 'POST messages with an empty text', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/messages`, body: { text: '' }, status: 400 },
    { name: 'POST messages with 16,385 characters', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/messages`, body: { text: 't'.repeat(16_385) }, status: 400 },
    { name: 'POST messages with a numeric text', method: 'POST', path: () => `/users/${ids.alice}/groups/${ids.group}/messages`, body: { text: 1 }, status: 400 },
    { name: "POST messages to another user's group", method: 'POST', path: () => `/users/${ids.bob}/groups/${ids.group}/messages`, body: { text: 'hi' }, status: 404 },
    { name: "GET messages of another user's group", method: 'GET', path: () => `/users/${ids.bob}/groups/${ids.group}/messages`, status: 404 },
    { name: 'GET commands with an unknown status', method: 'GET', path: () => `/users/${ids.alice}/commands?status=bogus`, status: 400 },
    { name: 'GET commands with an unknown query parameter', method: 'GET', path: () => `/users/${ids.alice}/commands?state=pending`, status: 400 },
    { name: 'GET commands of an unknown user', as: 'alice', method: 'GET', path: () => `/users/${UNKNOWN}/commands`, status: 404 },
  ];

  it.each(cases)('$name → $status', async (c) => {
    const answer = await stack.api.request<{ error: unknown; message: unknown }>(
      c.method,
      c.path(),
      typeof c.body === 'function' ? (c.body as () => unknown)() : c.body,
      c.raw,
      c.as ? stack.api.tokenOf(ids[c.as]) : undefined,
    );
    expect(answer.status).toBe(c.status);
    expect(answer.body).toEqual({ error: expect.any(String), message: expect.any(String) });
    expect((answer.body.message as string).length).toBeGreaterThan(0);
  });

  it('a text of exactly 16,384 characters and a name of 100 are accepted', async () => {
    const { api } = stack;
    expect((await api.request('POST', '/users', { displayName: 'n'.repeat(100) })).status).toBe(201);
    expect((await api.request('POST', `/users/${ids.alice}/groups/${ids.group}/messages`, { text: 't'.repeat(16_384) })).status).toBe(202);
  });
});
