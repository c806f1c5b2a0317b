import { z } from 'zod';
import { MSG_ID_PATTERN } from './relay-ids';

/** 64 KiB message bodies (the contracts' MessageBody limit, counted in characters). */
export const MAX_MESSAGE_BODY = 65_536;

export const CreateQueueRequest = z.object({
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** The caller's stream: the new queue is subscribed to it in the same request, if it is open. */
  sessionId: z.string().max(256).optional(),
});

export const SecureQueueRequest = z.object({
  senderKey: z.string().min(1).max(1_024),
});

export const SendMessageRequest = z.object({
  msgId: z.string().regex(MSG_ID_PATTERN, 'msgId must match [A-Za-z0-9_-]{1,128}'),
  body: z.string().max(MAX_MESSAGE_BODY, `body must be at most ${MAX_MESSAGE_BODY} characters`),
});
