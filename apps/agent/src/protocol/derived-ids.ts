import { createHash } from 'node:crypto';

/** A short, job-id-safe digest: the same inputs always give the same id, across processes. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

export { resultEventId } from '@gc/contracts';

/** The eventIds caused by one relay message, so a redelivery re-adds the same ids. */
export const inboundEventId = (relay: string, recipientId: string, msgId: string, type: string): string =>
  `i-${digest(relay, recipientId, msgId)}-${type}`;

/** Relay msgIds of our own sends: a retried send is stored once by the relay. */
export const outboundMsgId = (kind: string, ...parts: string[]): string => `${kind}-${digest(kind, ...parts)}`;

/** A stable 32-bit hash of a connId, for spreading queues over relays. */
export function connHash(connId: string): number {
  return createHash('sha256').update(connId).digest().readUInt32BE(0);
}
