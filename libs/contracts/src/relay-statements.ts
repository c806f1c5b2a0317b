/**
 * What a queue's recipient signs (Ed25519, with the recipient key it gave at create) to be allowed a
 * recipient operation at a relay (the relay trust model, docs/security.md: knowing a queue id is not enough). Each statement names
 * the operation and everything it acts on, so a captured signature only repeats that same act:
 * re-acking an acked message, re-deleting a deleted queue, or subscribing a queue again to the
 * stream (session) of the recipient who signed it. Shared by the relay (verifies) and the agent (signs).
 */
export const RecipientStatement = {
  secure: (recipientId: string, senderKey: string) => `gc-relay/1 secure ${recipientId} ${senderKey}`,
  ack: (recipientId: string, msgId: string) => `gc-relay/1 ack ${recipientId} ${msgId}`,
  delete: (recipientId: string) => `gc-relay/1 delete ${recipientId}`,
  subscribe: (sessionId: string, recipientId: string) => `gc-relay/1 subscribe ${sessionId} ${recipientId}`,
} as const;

/** The header carrying a base64 Ed25519 signature: of the raw body for creates and sends, of the statement otherwise. */
export const SIGNATURE_HEADER = 'x-signature';
