import { z } from 'zod';
import { CommandsQuery } from '../commands/commands.controller';
import { JoinContactBody } from '../contacts/contacts.controller';
import { AddMemberBody, CreateGroupBody, MessagesQuery, SendMessageBody } from '../groups/groups.controller';
import { CreateUserBody } from '../users/users.controller';

/**
 * What the controllers cannot say through decorators, because their bodies are validated by zod
 * pipes: the body and answer of every operation, as zod schemas (the very ones the pipes use for
 * bodies) and an example of each. Keyed by `METHOD /openapi/path`; a route missing here fails the
 * docs spec, so the document cannot silently fall behind the controllers.
 */
export interface ApiOperationDoc {
  summary: string;
  tag: string;
  body?: { schema: z.ZodType; example: unknown };
  query?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType; example?: unknown }>;
}

const U = '3f0c6a8e-5b1d-4c7e-9a12-6d2b8f4e1c90';
const U2 = '7a9d2c41-0e6b-4f53-b8a7-1c3e5d9f2b60';
const C = 'c4e8b2a6-91d3-4f0e-a5b7-2d6c8e0f4a13';
const G = '9b1f3d5e-7a2c-4e6f-8b0d-3c5e7a9f1b24';
const M = '5e7a9c1b-3d5f-4b7d-9f1b-6a8c0e2d4f35';
const INV = 'eyJ2IjoxLCJyZWxheSI6Imh0dHA6Ly8xMjcuMC4wLjE6NDAwMCIsInNlbmRlcklkIjoiUzFjNnY5X2FtM0t0WnFIeVd4Tm9sQSJ9';
const CORR = '0d2f4a6c-8e1b-4d3f-a5c7-9e1b3d5f7a91';

const ApiError = z.object({ error: z.string(), message: z.string() });
const errors = {
  bad: { description: 'Invalid body or query value (`{error, message}`)', schema: ApiError, example: { error: 'bad_request', message: 'invalid body: displayName: Too small: expected string to have >=1 characters' } },
  notFound: { description: 'A token of another user, or an id of another user\'s object', schema: ApiError, example: { error: 'not_found', message: `user ${U} not found` } },
  conflict: { description: 'Not possible in the current state', schema: ApiError, example: { error: 'conflict', message: `contact ${C} is not connected yet (invited)` } },
  tooLarge: { description: 'Body over 64 KiB', schema: ApiError, example: { error: 'payload_too_large', message: 'request entity too large' } },
};

const ContactStatus = z.enum(['creating', 'invited', 'joining', 'connected', 'failed']);
const Contact = z.object({ contactId: z.uuid(), displayName: z.string().optional(), status: ContactStatus, invitation: z.string().optional() });
const MemberStatus = z.enum(['invited', 'accepted', 'announced', 'introduced', 'intro-invited', 'connected', 'failed', 'removed', 'left']);
const Member = z.object({ memberId: z.uuid(), displayName: z.string(), status: MemberStatus, connected: z.boolean(), failureReason: z.string().optional() });
const GroupView = z.object({ groupId: z.uuid(), name: z.string(), membership: MemberStatus, hostMemberId: z.uuid() });
const Message = z.object({ messageId: z.uuid(), fromMemberId: z.uuid(), text: z.string(), at: z.iso.datetime() });
const CommandView = z.object({
  corrId: z.string(),
  function: z.string(),
  status: z.enum(['pending', 'completed', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});
const Progress = z.object({
  pairsConnected: z.number().int(),
  pairsTotal: z.number().int(),
  members: z.array(Member.omit({ failureReason: true })),
  stuck: z.array(
    z.object({
      memberId: z.uuid(),
      peerMemberId: z.uuid(),
      step: z.string().describe('the pending command function, or WAITING_FOR_* / FAILED'),
      since: z.iso.datetime(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
    }),
  ),
  messagesForwarded: z.number().int().describe('deliveries of group messages that went through the host (x.grp.msg.fwd): forwards made by the host, messages received so by a member'),
  reintroductions: z.number().int().describe('host: re-introductions made after a pair connection failed for good (0 for a member)'),
});

export const API_OPERATIONS: Record<string, ApiOperationDoc> = {
  'POST /users': {
    tag: 'users',
    summary: 'Create a user; its bearer token is shown here only (every /users/{userId}/... call needs it)',
    body: { schema: CreateUserBody, example: { displayName: 'Alice' } },
    responses: {
      201: { description: 'Created', schema: z.object({ userId: z.uuid(), token: z.string() }), example: { userId: U, token: 'q3Zr0hN2u8yX1bVwK5mT7cLd9fGj4sAe6pQiRoUvWxY' } },
      400: errors.bad,
      413: errors.tooLarge,
    },
  },
  'POST /users/{userId}/invitations': {
    tag: 'contacts',
    summary: 'Create a contact invitation (CREATE); the link appears on the contact',
    responses: { 202: { description: 'Accepted: the command is recorded', schema: z.object({ contactId: z.uuid() }), example: { contactId: C } }, 404: errors.notFound },
  },
  'POST /users/{userId}/contacts': {
    tag: 'contacts',
    summary: 'Join a contact invitation (JOIN)',
    body: { schema: JoinContactBody, example: { invitation: INV } },
    responses: { 202: { description: 'Accepted', schema: z.object({ contactId: z.uuid() }), example: { contactId: C } }, 400: errors.bad, 404: errors.notFound },
  },
  'GET /users/{userId}/contacts': {
    tag: 'contacts',
    summary: 'List contacts',
    responses: {
      200: { description: 'Contacts, oldest first', schema: z.array(Contact), example: [{ contactId: C, displayName: 'Bob', status: 'connected' }] },
      404: errors.notFound,
    },
  },
  'GET /users/{userId}/contacts/{contactId}': {
    tag: 'contacts',
    summary: 'One contact (an inviter sees its invitation here)',
    responses: { 200: { description: 'The contact', schema: Contact, example: { contactId: C, status: 'invited', invitation: INV } }, 404: errors.notFound },
  },
  'POST /users/{userId}/groups': {
    tag: 'groups',
    summary: 'Create a group (the user is its host)',
    body: { schema: CreateGroupBody, example: { name: 'Team' } },
    responses: { 201: { description: 'Created', schema: z.object({ groupId: z.uuid() }), example: { groupId: G } }, 400: errors.bad, 404: errors.notFound },
  },
  'GET /users/{userId}/groups': {
    tag: 'groups',
    summary: 'List groups with the user\'s membership',
    responses: {
      200: { description: 'Groups', schema: z.array(GroupView), example: [{ groupId: G, name: 'Team', membership: 'connected', hostMemberId: M }] },
      404: errors.notFound,
    },
  },
  'POST /users/{userId}/groups/{groupId}/members': {
    tag: 'groups',
    summary: 'Host adds a connected contact as a member (CREATE, then x.grp.inv to the contact)',
    body: { schema: AddMemberBody, example: { contactId: C } },
    responses: { 202: { description: 'Accepted', schema: z.object({ memberId: z.uuid() }), example: { memberId: M } }, 400: errors.bad, 404: errors.notFound, 409: errors.conflict },
  },
  'DELETE /users/{userId}/groups/{groupId}/members/{memberId}': {
    tag: 'groups',
    summary: 'Remove a member (host only): x.grp.mem.del to every member and to it; every side deletes its connections with it',
    responses: {
      202: { description: 'Accepted (removing a member that is gone already changes nothing)', schema: z.object({}), example: {} },
      403: { description: 'Not the host of this group', schema: ApiError, example: { error: 'forbidden', message: 'only the host removes members from this group' } },
      404: errors.notFound,
    },
  },
  'POST /users/{userId}/groups/{groupId}/leave': {
    tag: 'groups',
    summary: 'Leave a group: x.grp.leave to every member; every side deletes its connections with the leaver',
    responses: {
      202: { description: 'Accepted (leaving again changes nothing)', schema: z.object({}), example: {} },
      404: errors.notFound,
      409: { ...errors.conflict, example: { error: 'conflict', message: 'the host cannot leave its own group' } },
    },
  },
  'POST /users/{userId}/groups/{groupId}/join': {
    tag: 'groups',
    summary: 'Accept a group invitation (JOIN with x.grp.acpt)',
    responses: {
      202: { description: 'Accepted', schema: z.object({}), example: {} },
      404: errors.notFound,
      409: { ...errors.conflict, example: { error: 'conflict', message: 'this group has no pending invitation to join' } },
    },
  },
  'GET /users/{userId}/groups/{groupId}/members': {
    tag: 'groups',
    summary: 'Members as this user sees them',
    responses: {
      200: { description: 'Members (not the user itself)', schema: z.array(Member), example: [{ memberId: M, displayName: 'Bob', status: 'connected', connected: true }] },
      404: errors.notFound,
    },
  },
  'GET /users/{userId}/groups/{groupId}/progress': {
    tag: 'groups',
    summary: 'Pairs connected, and what every other pair waits on',
    responses: {
      200: {
        description: 'The host sees every pair of the group; a member sees its own pairs',
        schema: Progress,
        example: {
          pairsConnected: 2,
          pairsTotal: 3,
          members: [
            { memberId: M, displayName: 'Bob', status: 'connected', connected: true },
            { memberId: U2, displayName: 'Carol', status: 'connected', connected: true },
          ],
          stuck: [{ memberId: M, peerMemberId: U2, step: 'JOIN_FORWARDED_INTRO', since: '2026-11-25T21:04:05.000Z', attempts: 3, lastError: 'relay http://127.0.0.1:4001 answered 503' }],
          messagesForwarded: 1,
          reintroductions: 0,
        },
      },
      400: { ...errors.bad, example: { error: 'bad_request', message: 'invalid query: query: Unrecognized key: "x"' } },
      404: errors.notFound,
    },
  },
  'POST /users/{userId}/groups/{groupId}/messages': {
    tag: 'messages',
    summary: 'Send a group message to every member (queued for members not connected yet)',
    body: { schema: SendMessageBody, example: { text: 'hello' } },
    responses: {
      202: { description: 'Accepted', schema: z.object({ messageId: z.uuid() }), example: { messageId: CORR } },
      400: errors.bad,
      404: errors.notFound,
      409: { ...errors.conflict, example: { error: 'conflict', message: 'cannot send to a group while accepted' } },
      413: errors.tooLarge,
    },
  },
  'GET /users/{userId}/groups/{groupId}/messages': {
    tag: 'messages',
    summary: "Group messages, oldest first (one sender's always in the order sent), each exactly once; paged by limit and after (the last messageId of the previous page)",
    query: MessagesQuery,
    responses: {
      200: { description: 'Messages', schema: z.array(Message), example: [{ messageId: CORR, fromMemberId: M, text: 'hello', at: '2026-11-25T21:04:05.000Z' }] },
      400: errors.bad,
      404: errors.notFound,
    },
  },
  'GET /users/{userId}/commands': {
    tag: 'commands',
    summary: 'The user\'s commands (outbox rows), optionally by status; paged by limit and after (the last corrId of the previous page)',
    query: CommandsQuery,
    responses: {
      200: {
        description: 'Commands, oldest first',
        schema: z.array(CommandView),
        example: [{ corrId: CORR, function: 'CREATE_GROUP_MEMBER_INVITATION', status: 'pending', attempts: 2, lastError: null }],
      },
      400: { ...errors.bad, example: { error: 'bad_request', message: 'invalid query: status: Invalid option: expected one of "pending"|"completed"|"failed"' } },
      404: errors.notFound,
    },
  },
  'GET /health': {
    tag: 'health',
    summary: 'Terminus health: Postgres and Redis',
    responses: {
      200: { description: 'Both answer', example: { status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } }, error: {}, details: {} } },
      503: { description: 'One of them does not', example: { status: 'error', info: {}, error: { redis: { status: 'down', message: 'Redis did not answer within 2 s' } }, details: {} } },
    },
  },
};
