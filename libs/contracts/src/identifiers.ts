import { z } from 'zod';

// BullMQ refuses custom job ids containing ':' and integer-looking ids, so every id that becomes a
// job id is restricted to a safe alphabet here, at both ends.
const SAFE_ID = /^[A-Za-z0-9_-]+$/;

export const CorrelationId = z.string().min(8).max(128).regex(SAFE_ID, 'corrId must match [A-Za-z0-9_-]+');
export type CorrelationId = z.infer<typeof CorrelationId>;

export const EventId = z.string().min(8).max(200).regex(SAFE_ID, 'eventId must match [A-Za-z0-9_-]+');
export type EventId = z.infer<typeof EventId>;

export const UserId = z.string().min(1).max(64).regex(SAFE_ID, 'userId must match [A-Za-z0-9_-]+');
export type UserId = z.infer<typeof UserId>;

export const ConnId = z.string().min(1).max(64).regex(SAFE_ID, 'connId must match [A-Za-z0-9_-]+');
export type ConnId = z.infer<typeof ConnId>;

/** Opaque to the agent: the chat puts its own JSON (x.grp.acpt, x.grp.mem.info, x.ok, ...) here. */
export const ConnInfo = z.string().max(65_536);
export const MessageBody = z.string().min(1).max(65_536);
/** An invitation is a base64url string made by the agent; the chat passes it on untouched. */
export const Invitation = z.string().min(1).max(4_096);
