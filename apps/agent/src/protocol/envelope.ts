import { ConnInfo, MessageBody } from '@gc/contracts';
import { z } from 'zod';

/** The handshake and data messages agents exchange as relay message bodies (docs/architecture.md). */
export const ConfEnvelope = z.object({
  t: z.literal('conf'),
  senderKey: z.string().min(1),
  reply: z.object({ relay: z.string().url(), senderId: z.string().min(1).max(128) }),
  connInfo: ConnInfo,
});
export const InfoEnvelope = z.object({ t: z.literal('info'), senderKey: z.string().min(1), connInfo: ConnInfo });
export const HelloEnvelope = z.object({ t: z.literal('hello') });
export const MsgEnvelope = z.object({ t: z.literal('msg'), msgId: z.string(), body: MessageBody });

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
