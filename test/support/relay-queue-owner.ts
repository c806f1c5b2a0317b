import { RecipientStatement } from '@gc/contracts';
import { createPrivateKey, sign } from 'node:crypto';

/**
 * Deletes a relay queue as its owner does: signed with the recipient key the agent stored with the
 * connection (agent.connections.recipient_private_key). Tests use it to make a queue vanish under
 * an agent; without the key the relay refuses (401/403).
 */
export async function deleteQueueAsOwner(relayUrl: string, recipientId: string, recipientPrivateKey: string): Promise<number> {
  const key = createPrivateKey({ key: Buffer.from(recipientPrivateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const signature = sign(null, Buffer.from(RecipientStatement.delete(recipientId)), key).toString('base64');
  const res = await fetch(`${relayUrl}/queues/${recipientId}`, { method: 'DELETE', headers: { 'x-signature': signature }, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status;
}
