import { RELAY_BATCH_MAX_OPERATIONS } from '@gc/contracts';
import { z } from 'zod';

/** The operations are checked one by one (BatchOperation), so one malformed operation is a 400 of its own. */
export const BatchRequest = z.strictObject({
  ops: z.array(z.unknown()).min(1).max(RELAY_BATCH_MAX_OPERATIONS),
});

// Lengths as the single routes bound them (ids and signatures); a body is bounded by the request's size.
const id = z.string().min(1).max(256);
const signature = z.string().max(256);

export const BatchOperation = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), body: z.string(), signature: signature.optional() }),
  z.strictObject({ op: z.literal('secure'), recipientId: id, body: z.string(), signature: signature.optional() }),
  z.strictObject({ op: z.literal('send'), senderId: id, body: z.string(), signature: signature.optional() }),
  z.strictObject({ op: z.literal('ack'), recipientId: id, msgId: id, signature: signature.optional() }),
  z.strictObject({ op: z.literal('delete'), recipientId: id, signature: signature.optional() }),
]);
export type BatchOperation = z.infer<typeof BatchOperation>;
