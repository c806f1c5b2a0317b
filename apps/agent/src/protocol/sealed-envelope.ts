import { z } from 'zod';
import { agreeConnectionKey, dhPublicKeyOf } from '../crypto/key-agreement';
import { open, seal } from '../crypto/sealed-box';
import { ConnectionEntity } from '../persistence/connection.entity';
import { Envelope, parseEnvelope } from './envelope';

/**
 * What a relay carries as a message body: an envelope sealed with the connection's end-to-end key,
 * so the relay (its Redis, its logs, anyone on the path) sees a nonce, ciphertext and random ids
 * only. The joiner's conf alone also carries `dh`, its X25519 public key, from which the inviter
 * agrees the same key (the invitation carried the inviter's). The associated data binds each box
 * to the queue it was sent to and its relay msgId: a relay cannot move a box to another queue (the
 * other direction of the connection included) or replay it under another msgId.
 */
const SealedBody = z
  .object({
    e2e: z.literal(1),
    dh: z.string().length(43).optional(),
    n: z.string().max(32),
    c: z.string().max(200_000),
  })
  .strict();

const associatedData = (queueSenderId: string, msgId: string) => `gc-e2e/1 ${queueSenderId} ${msgId}`;

/** The relay body of `envelope` sent to the peer's queue (conn.sndSenderId) as `msgId`. */
export function sealEnvelope(conn: ConnectionEntity, msgId: string, envelope: Envelope): string {
  if (!conn.e2eKey) throw new Error(`connection ${conn.connId} has no end-to-end key yet`);
  const box = seal(conn.e2eKey, associatedData(conn.sndSenderId!, msgId), JSON.stringify(envelope));
  // Only the joiner's first message needs the inviter to learn its key; later ones never carry it.
  const dh = envelope.t === 'conf' && conn.dhPrivateKey ? { dh: dhPublicKeyOf(conn.dhPrivateKey) } : {};
  return JSON.stringify({ e2e: 1, ...dh, ...box });
}

/**
 * The envelope in a body received on our queue (conn.rcvSenderId), or null when it is not one
 * sealed for this connection (any peer or relay may write junk: dropped and acked, never retried).
 * An inviter's first conf agrees the connection key: it is set on `conn` (saved with the message).
 */
export function openEnvelope(conn: ConnectionEntity, delivery: { msgId: string; body: string }): Envelope | null {
  const sealed = parseSealed(delivery.body);
  if (!sealed || !conn.rcvSenderId) return null;
  let key = conn.e2eKey;
  const agreeing = sealed.dh !== undefined && conn.role === 'inviter' && conn.dhPrivateKey !== null;
  if (agreeing) key = agreeConnectionKey(conn.dhPrivateKey!, sealed.dh!);
  if (!key) return null;
  const text = open(key, associatedData(conn.rcvSenderId, delivery.msgId), sealed);
  if (text === null) return null;
  const envelope = parseEnvelope(text);
  // The first conf on an invitation fixes the key; a second joiner's conf is dropped by its state.
  if (envelope?.t === 'conf' && agreeing && conn.e2eKey === null && conn.status === 'invited') conn.e2eKey = key;
  return envelope;
}

function parseSealed(body: string): z.infer<typeof SealedBody> | null {
  try {
    const parsed = SealedBody.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
