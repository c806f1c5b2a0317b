import { ConnInfo, MessageBody } from '@gc/contracts';
import { z } from 'zod';

/** The handshake and data messages agents exchange as relay message bodies (docs/architecture.md). */
// Sealed end to end (sealed-envelope.ts): only the peer of the connection reads these, yet each is
// bounded and checked as any peer input is. The reply relay is checked again (checkRelayOrigin)
// before ALLOW sends anything there.
const SenderKey = z.string().min(1).max(1_024);
export const ConfEnvelope = z.object({
  t: z.literal('conf'),
  senderKey: SenderKey,
  reply: z.object({ relay: z.string().url().max(512), senderId: z.string().min(1).max(128) }),
  connInfo: ConnInfo,
});
export const InfoEnvelope = z.object({ t: z.literal('info'), senderKey: SenderKey, connInfo: ConnInfo });
export const HelloEnvelope = z.object({ t: z.literal('hello') });
export const MsgEnvelope = z.object({ t: z.literal('msg'), msgId: z.string().max(128), body: MessageBody });

export const Envelope = z.discriminatedUnion('t', [ConfEnvelope, InfoEnvelope, HelloEnvelope, MsgEnvelope]);
export type Envelope = z.infer<typeof Envelope>;

/** null for a body that is not one of ours (or breaks the contract's limits): dropped and acked, never retried. */
export function parseEnvelope(body: string): Envelope | null {
  try {
    const parsed = Envelope.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
