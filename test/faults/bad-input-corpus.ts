import { GroupSetup } from '../support/chat-stack';

export interface BadRequest {
  name: string;
  method: string;
  url: string;
  body?: string;
  headers?: Record<string, string>;
  /** When set, exactly this status; otherwise any 4xx. */
  status?: number;
}

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const HUGE = 'x'.repeat(200_000);

/** Each shape of bad body, applied to each endpoint that takes a body. */
function bodies(): Array<[string, string]> {
  return [
    ['malformed JSON', '{"a": '],
    ['an array', '[1,2,3]'],
    ['a bare string', '"hello"'],
    ['null', 'null'],
    ['wrong types', JSON.stringify({ idempotencyKey: 5, displayName: 7, name: false, contactId: 9, invitation: 3, text: [], msgId: 1, body: {}, senderKey: 5, recipientIds: 'x', failureRate: 'high' })],
    ['missing fields', '{}'],
    ['a huge string', JSON.stringify({ displayName: HUGE, name: HUGE, contactId: HUGE, invitation: HUGE, text: HUGE, msgId: HUGE, body: HUGE })],
  ];
}

/** The corpus: every chat and relay endpoint with a body, each with every bad body; plus unknown ids and invalid invitations. */
/** `hostToken`: the host's bearer token, sent on every chat call, so each bad input meets the check it names, not the 401 before it. */
export function badInputCases(opts: { chatUrl: string; relayUrl: string; setup: GroupSetup; hostToken: string }): BadRequest[] {
  const { chatUrl, relayUrl, setup } = opts;
  const u = setup.host.userId;
  const g = setup.groupId;
  const auth = { authorization: `Bearer ${opts.hostToken}` };
  const withBody: Array<[string, string, Record<string, string>?]> = [
    [`${chatUrl}/users`, 'POST'],
    [`${chatUrl}/users/${u}/contacts`, 'POST', auth],
    [`${chatUrl}/users/${u}/groups`, 'POST', auth],
    [`${chatUrl}/users/${u}/groups/${g}/members`, 'POST', auth],
    [`${chatUrl}/users/${u}/groups/${g}/messages`, 'POST', auth],
    [`${relayUrl}/queues`, 'POST'],
    [`${relayUrl}/queues/${'A'.repeat(22)}/secure`, 'PUT'],
    [`${relayUrl}/queues/${'A'.repeat(22)}/messages`, 'POST'],
    [`${relayUrl}/sessions/${'A'.repeat(22)}/subscriptions`, 'POST'],
    [`${relayUrl}/admin/faults`, 'PUT', { 'x-admin-token': 'test-admin-token' }],
  ];
  const cases: BadRequest[] = [];
  for (const [url, method, headers] of withBody) {
    for (const [what, body] of bodies()) {
      // An empty object is a valid POST /queues (idempotencyKey optional) and PUT /admin/faults (all optional).
      if (what === 'missing fields' && (url.endsWith('/queues') || url.endsWith('/admin/faults'))) continue;
      cases.push({ name: `${method} ${url.replace(/^http:\/\/[^/]+/, '')} with ${what}`, method, url, body, headers });
    }
  }
  cases.push(
    { name: 'invitations of an unknown user', method: 'POST', url: `${chatUrl}/users/${UNKNOWN_UUID}/invitations`, status: 404 , headers: auth },
    { name: 'contacts of a malformed user id', method: 'GET', url: `${chatUrl}/users/not-a-uuid/contacts`, status: 404 , headers: auth },
    { name: 'an unknown group', method: 'GET', url: `${chatUrl}/users/${u}/groups/${UNKNOWN_UUID}/members`, status: 404 , headers: auth },
    { name: 'join an unknown group', method: 'POST', url: `${chatUrl}/users/${u}/groups/${UNKNOWN_UUID}/join`, status: 404 , headers: auth },
    { name: 'commands with a bad status', method: 'GET', url: `${chatUrl}/users/${u}/commands?status=nope`, status: 400 , headers: auth },
    { name: 'progress of an unknown group', method: 'GET', url: `${chatUrl}/users/${u}/groups/${UNKNOWN_UUID}/progress`, status: 404 , headers: auth },
    { name: 'an invitation of 4,097 characters', method: 'POST', url: `${chatUrl}/users/${u}/contacts`, body: JSON.stringify({ invitation: 'i'.repeat(4_097) }), status: 400 , headers: auth },
    { name: 'relay: send to an unknown queue', method: 'POST', url: `${relayUrl}/queues/${'B'.repeat(22)}/messages`, body: JSON.stringify({ msgId: 'm1', body: 'hi' }), status: 404 },
    { name: 'relay: a msgId with a bad character', method: 'POST', url: `${relayUrl}/queues/${'B'.repeat(22)}/messages`, body: JSON.stringify({ msgId: 'a:b', body: 'hi' }) },
    { name: 'relay: a body over 64 KiB', method: 'POST', url: `${relayUrl}/queues/${'B'.repeat(22)}/messages`, body: JSON.stringify({ msgId: 'm2', body: 'b'.repeat(70_000) }) },
    { name: 'relay: subscriptions of an unknown session', method: 'POST', url: `${relayUrl}/sessions/nope/subscriptions`, body: JSON.stringify({ recipientIds: ['x'] }) },
    { name: 'relay: failureRate above 1', method: 'PUT', url: `${relayUrl}/admin/faults`, body: JSON.stringify({ failureRate: 2 }), headers: { 'x-admin-token': 'test-admin-token' }, status: 400 },
  );
  return cases;
}

/**
 * Invitations that pass the contract's shape (a string ≤ 4 KiB) but that no agent wrote. The chat
 * treats invitations as opaque (their format is the agent's), so these are accepted (202) and the
 * agent refuses the JOIN: the command fails with INVALID_INVITATION and the contact with it.
 */
export const INVALID_INVITATIONS = ['%%% not an invitation %%%', Buffer.from(JSON.stringify({ v: 1, relay: 'not a url', senderId: '' })).toString('base64url')];

export interface RawJob {
  name: string;
  id: string;
  data: unknown;
}

/** Jobs no producer of the contract would write, for agent-commands. */
export function malformedCommandJobs(): RawJob[] {
  return [
    { name: 'CREATE', id: 'faults-bad-cmd-missing', data: { type: 'CREATE', corrId: 'faults-bad-cmd-missing', userId: 'u1' } },
    { name: 'JOIN', id: 'faults-bad-cmd-types', data: { type: 'JOIN', corrId: 'faults-bad-cmd-types', userId: 7, connId: 'c1', invitation: 42 } },
    { name: 'REBOOT', id: 'faults-bad-cmd-type', data: { type: 'REBOOT', corrId: 'faults-bad-cmd-type', userId: 'u1' } },
    { name: 'SEND', id: 'faults-bad-cmd-shape', data: 'not even an object' },
    { name: 'SEND', id: 'faults-bad-cmd-huge', data: { type: 'SEND', corrId: 'faults-bad-cmd-huge', userId: 'u1', connId: 'c1', msgId: 'm1', body: 'x'.repeat(70_000) } },
  ];
}

/** Jobs no agent would write, for agent-events. */
export function malformedEventJobs(): RawJob[] {
  return [
    { name: 'CON', id: 'faults-bad-evt-missing', data: { type: 'CON', eventId: 'faults-bad-evt-missing', userId: 'u1' } },
    { name: 'INV', id: 'faults-bad-evt-types', data: { type: 'INV', eventId: 'faults-bad-evt-types', userId: 1, corrId: 2, connId: 3, invitation: 4 } },
    { name: 'EXPLODE', id: 'faults-bad-evt-type', data: { type: 'EXPLODE', eventId: 'faults-bad-evt-type', userId: 'u1' } },
    { name: 'MSG', id: 'faults-bad-evt-shape', data: [1, 2, 3] },
  ];
}
