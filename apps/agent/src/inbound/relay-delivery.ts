import { z } from 'zod';

/** A `message` event of the relay's session stream. */
export const RelayDelivery = z.object({
  recipientId: z.string().min(1),
  msgId: z.string().min(1).max(128),
  body: z.string(),
  sentAt: z.union([z.string(), z.number()]).optional(),
});
export type RelayDelivery = z.infer<typeof RelayDelivery>;
