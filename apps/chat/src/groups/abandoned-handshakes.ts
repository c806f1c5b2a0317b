import { Connection } from '../connections/connection.entity';
import { lockMember, setMemberStatus } from '../members/group-store';
import { ChatTx } from '../outbox/chat-tx';
import { onJoinGroupFailed } from './member-flow';

/**
 * A handshake of ours given up (no answer from the peer, see recovery/abandoned-handshakes): what the
 * connection was for fails with it — a member of a group connection shows `failed` with the reason; our
 * JOIN of a group's invitation fails our membership and tells the host why, as a refused JOIN does (a
 * contact shows failed through its connection).
 */
export async function onHandshakeAbandoned(tx: ChatTx, conn: Connection, reason: string): Promise<void> {
  if (!conn.groupId || !conn.memberId || conn.purpose === 'contact' || conn.purpose === 'intro-direct') return;
  const member = await lockMember(tx, conn.userId, conn.groupId, conn.memberId);
  if (member) await setMemberStatus(tx, member, 'failed', reason);
  if (conn.purpose === 'member-host') await onJoinGroupFailed(tx, conn, reason);
}
