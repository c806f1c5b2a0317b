import { randomUUID } from 'node:crypto';
import { lockConnectionsShared } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { findMember, otherMembersOf } from '../members/group-store';
import { Group } from '../members/group.entity';
import { membersNotConnectedWith } from '../members/introduction-store';
import { hasDeparted } from '../members/member.entity';
import { ChatTx } from '../outbox/chat-tx';
import { ProtocolMessageOf } from '../protocol/protocol-message';
import { sendRequest } from '../protocol/protocol-sender';
import { addPendingDeliveries, insertGroupMessage, insertOwnGroupMessage, recordForwards, takePendingDeliveries } from './group-message-store';

/** POST …/messages: to every member over its group connection, or into its pending queue. */
export async function sendGroupMessage(tx: ChatTx, group: Group, text: string): Promise<string> {
  const msgId = randomUUID();
  const sentAt = (await insertOwnGroupMessage(tx, { userId: group.userId, id: msgId, groupId: group.id, fromMemberId: group.selfMemberId, text })).toISOString();
  const members = (await otherMembersOf(tx.em, group.userId, group.id)).filter((m) => m.status !== 'failed' && !hasDeparted(m.status));
  // FOR SHARE: a CON committing meanwhile waits for us, then flushes what we left pending.
  const conns = await lockConnectionsShared(tx, members.map((m) => m.connId).filter((c): c is string => !!c));
  const connected = new Set(conns.filter((c) => c.stage === 'connected').map((c) => c.id));
  const ready = members.filter((m) => m.connId && connected.has(m.connId));
  await tx.askAll(group.userId, ready.map((m) => sendRequest(m.connId!, { type: 'x.msg.new', msgId, text, sentAt })));
  await addPendingDeliveries(tx, group.userId, group.id, members.filter((m) => !ready.includes(m)).map((m) => m.id), msgId);
  return msgId;
}

/**
 * Receivers drop duplicates by msgId (the primary key). The host passes a member's message on, as
 * x.grp.msg.fwd, to the members whose introduction to that member is not connected yet: they get
 * it now instead of when the mesh is up (the sender's pending delivery still follows, a duplicate).
 */
export async function receiveGroupMessage(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.msg.new'>): Promise<void> {
  if (!conn.groupId || !conn.memberId) return;
  const fresh = await insertGroupMessage(tx, { userId: conn.userId, id: msg.msgId, groupId: conn.groupId, fromMemberId: conn.memberId, text: msg.text, at: listedAt(msg.sentAt) });
  if (!fresh || conn.purpose !== 'host-member') return;
  const waiting = await membersNotConnectedWith(tx, conn.userId, conn.groupId, conn.memberId);
  if (waiting.length === 0) return;
  const fwd = { type: 'x.grp.msg.fwd' as const, fromMemberId: conn.memberId, msgId: msg.msgId, text: msg.text, sentAt: listedAt(msg.sentAt).toISOString() };
  await tx.askAll(conn.userId, waiting.map((m) => sendRequest(m.connId, fwd)));
  await recordForwards(tx, conn.userId, msg.msgId, waiting.length);
}

/** x.grp.msg.fwd from the host: a member's message, from a member we know and that is still in the group. */
export async function receiveForwardedMessage(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.msg.fwd'>): Promise<void> {
  if (!conn.groupId) return;
  const sender = await findMember(tx, conn.userId, conn.groupId, msg.fromMemberId);
  if (!sender || sender.isSelf || sender.isHost || hasDeparted(sender.status)) return;
  await insertGroupMessage(tx, { userId: conn.userId, id: msg.msgId, groupId: conn.groupId, fromMemberId: sender.id, text: msg.text, at: listedAt(msg.sentAt), forwarded: 1 });
}

/** On CON of a member's group connection: what waited for it goes out now, oldest first. */
export async function flushPendingDeliveries(tx: ChatTx, conn: Connection): Promise<void> {
  if (!conn.groupId || !conn.memberId) return;
  const waiting = await takePendingDeliveries(tx, conn.userId, conn.groupId, conn.memberId);
  await tx.askAll(conn.userId, waiting.map((row) => sendRequest(conn.id, { type: 'x.msg.new', msgId: row.messageId, text: row.text, sentAt: row.at.toISOString() })));
}

/** A peer can claim any time for its own messages, but not the future: it would list them after everyone's later ones. */
const MAX_CLOCK_AHEAD_MS = 60_000;
function listedAt(sentAt: string | undefined): Date {
  const now = Date.now();
  const claimed = sentAt === undefined ? now : Date.parse(sentAt);
  return new Date(Math.min(claimed, now + MAX_CLOCK_AHEAD_MS));
}
