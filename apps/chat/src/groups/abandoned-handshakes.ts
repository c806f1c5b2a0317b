import { failAbandonedHandshakes } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { lockMember, setMemberStatus } from '../members/group-store';
import { ChatTx } from '../outbox/chat-tx';
import { onJoinGroupFailed } from './member-flow';

/**
 * Handshakes whose peer never answered (a one-time link someone else used first, a peer that refused
 * our confirmation, a peer gone for good): given up after the timeout, with a reason, so no connection
 * waits — and is re-subscribed — for ever. What the connection was for fails with it: a contact shows
 * `failed`; a member of the group connection shows `failed` with the reason; our JOIN of a group's
 * invitation fails our membership and tells the host why, as a refused JOIN does.
 */
export async function giveUpAbandonedHandshakes(tx: ChatTx, timeoutMs: number, limit: number): Promise<number> {
  const reason = `no answer from the peer for ${Math.round(timeoutMs / 60_000)} min: handshake given up`;
  const conns = await failAbandonedHandshakes(tx, timeoutMs, limit, reason);
  for (const conn of conns) await failWhatItWasFor(tx, conn, reason);
  return conns.length;
}

async function failWhatItWasFor(tx: ChatTx, conn: Connection, reason: string): Promise<void> {
  if (!conn.groupId || !conn.memberId || conn.purpose === 'contact' || conn.purpose === 'intro-direct') return;
  const member = await lockMember(tx, conn.userId, conn.groupId, conn.memberId);
  if (member) await setMemberStatus(tx, member, 'failed', reason);
  if (conn.purpose === 'member-host') await onJoinGroupFailed(tx, conn, reason);
}
