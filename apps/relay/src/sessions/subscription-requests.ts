import { z } from 'zod';

export const MAX_SUBSCRIPTIONS_PER_REQUEST = 1_000;

/** Each queue with its recipient's signature of RecipientStatement.subscribe(sessionId, recipientId). */
export const SubscribeRequest = z.object({
  subscriptions: z
    .array(z.object({ recipientId: z.string().max(256), signature: z.string().max(128) }))
    .max(MAX_SUBSCRIPTIONS_PER_REQUEST),
});
