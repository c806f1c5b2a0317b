import { z } from 'zod';

export const MAX_SUBSCRIPTIONS_PER_REQUEST = 1_000;

export const SubscribeRequest = z.object({
  recipientIds: z.array(z.string().max(256)).max(MAX_SUBSCRIPTIONS_PER_REQUEST),
});
