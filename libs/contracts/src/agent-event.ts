import { z } from 'zod';
import { ConnId, ConnInfo, CorrelationId, EventId, Invitation, MessageBody, UserId } from './identifiers';

const base = { eventId: EventId, userId: UserId };
const reply = { ...base, corrId: CorrelationId };

/**
 * The agent's view of a connection, as reported by STATUS.
 * Inviter: invited → confirmed → allowed → connected. Joiner: joined → connected.
 * `unknown`: the agent has no such connection; `deleted`: DELETE completed.
 */
export const ConnectionStatus = z.enum(['invited', 'confirmed', 'allowed', 'joined', 'connected', 'deleted', 'unknown']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const Confirmation = z.object({ confirmationId: z.string().min(1).max(128), connInfo: ConnInfo }).strict();

// Completions of commands (carry the command's corrId).
export const InvEvent = z.object({ type: z.literal('INV'), ...reply, connId: ConnId, invitation: Invitation }).strict();
export const JoinedEvent = z.object({ type: z.literal('JOINED'), ...reply, connId: ConnId }).strict();
export const AllowedEvent = z.object({ type: z.literal('ALLOWED'), ...reply, connId: ConnId }).strict();
export const SentEvent = z.object({ type: z.literal('SENT'), ...reply, connId: ConnId, msgId: z.string().min(1).max(128) }).strict();
export const AckedEvent = z.object({ type: z.literal('ACKED'), ...reply, connId: ConnId }).strict();
export const DeletedEvent = z.object({ type: z.literal('DELETED'), ...reply, connId: ConnId }).strict();
/**
 * One per connection named in SUBSCRIBE. Besides the status it carries what the chat needs to run
 * the continuation it may have missed (seed, Proposal 1): the invitation of an inviter, the pending
 * confirmation of a confirmed inviter, the peer's info of a connected joiner.
 */
export const StatusEvent = z
  .object({
    type: z.literal('STATUS'),
    ...reply,
    connId: ConnId,
    status: ConnectionStatus,
    invitation: Invitation.optional(),
    confirmation: Confirmation.optional(),
    peerConnInfo: ConnInfo.optional(),
  })
  .strict();

// Events not caused by a command (no corrId).
export const ConfEvent = z
  .object({ type: z.literal('CONF'), ...base, connId: ConnId, confirmationId: z.string().min(1).max(128), connInfo: ConnInfo })
  .strict();
export const InfoEvent = z.object({ type: z.literal('INFO'), ...base, connId: ConnId, connInfo: ConnInfo }).strict();
export const ConEvent = z.object({ type: z.literal('CON'), ...base, connId: ConnId }).strict();
export const MsgEvent = z
  .object({ type: z.literal('MSG'), ...base, connId: ConnId, agentMsgId: z.string().min(1).max(128), body: MessageBody })
  .strict();
export const EndEvent = z.object({ type: z.literal('END'), ...base, connId: ConnId }).strict();

/** Permanent failure of a command; transient ones are retried by the agent and never reported. */
export const AgentErrorCode = z.enum([
  'VALIDATION', // the command itself is malformed
  'INVALID_INVITATION', // JOIN with an invitation that cannot be parsed
  'CONN_NOT_FOUND', // the agent has no such connection for this user
  'CONN_STATE', // the connection is not in a state that allows the command (e.g. SEND before CON)
  'UNKNOWN_CONFIRMATION', // ALLOW with a confirmationId the agent has not received
  'RELAY_REFUSED', // the relay answered 4xx (e.g. the peer's queue was deleted)
  'UNKNOWN_FAILURE', // an error of no known kind, still there after a bounded number of attempts
]);
export type AgentErrorCode = z.infer<typeof AgentErrorCode>;
export const ErrEvent = z
  .object({
    type: z.literal('ERR'),
    ...reply,
    connId: ConnId.optional(),
    error: z.object({ code: AgentErrorCode, message: z.string().max(2_000), permanent: z.literal(true) }).strict(),
  })
  .strict();

export const AgentEvent = z.discriminatedUnion('type', [
  InvEvent,
  JoinedEvent,
  AllowedEvent,
  SentEvent,
  AckedEvent,
  DeletedEvent,
  StatusEvent,
  ConfEvent,
  InfoEvent,
  ConEvent,
  MsgEvent,
  EndEvent,
  ErrEvent,
]);
export type AgentEvent = z.infer<typeof AgentEvent>;
export type AgentEventType = AgentEvent['type'];
export type AgentEventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;
