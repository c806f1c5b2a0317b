import { z } from 'zod';
import { MSG_ID_PATTERN } from './relay-ids';

export const CreateQueueRequest = z.object({
  /** Ed25519 public key, SPKI DER base64: every recipient operation on the queue must be signed with it. */
  recipientKey: z.string().min(1).max(1_024),
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** The caller's stream: the new queue is subscribed to it in the same request, if it is open. */
  sessionId: z.string().max(256).optional(),
});

export const SecureQueueRequest = z.object({
  senderKey: z.string().min(1).max(1_024),
});

/** The body's size bound (RELAY_MAX_MESSAGE_BYTES) is checked by the route, to answer 413. */
export const SendMessageRequest = z.object({
  msgId: z.string().regex(MSG_ID_PATTERN, 'msgId must match [A-Za-z0-9_-]{1,128}'),
  body: z.string(),
});
