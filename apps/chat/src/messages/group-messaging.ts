import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { ChatTx } from '../commands/chat-tx';
import { Connection } from '../connections/connection.entity';
import { Group } from '../groups/group.entity';
import { Member } from '../groups/member.entity';
import { ProtocolMessageOf } from '../protocol/protocol-message';
import { GroupMessage } from './group-message.entity';
import { sendProtocolMessage } from './outbound';
import { PendingDelivery } from './pending-delivery.entity';

/** POST …/messages: to every member over its group connection, or into its pending queue. */
export async function sendGroupMessage(tx: ChatTx, group: Group, text: string): Promise<string> {
  const msgId = randomUUID();
  await tx.em.insert(GroupMessage, { userId: group.userId, id: msgId, groupId: group.id, fromMemberId: group.selfMemberId, text, at: new Date() });
  const members = await tx.em.find(Member, { where: { userId: group.userId, groupId: group.id, isSelf: false } });
  const connIds = members.map((m) => m.connId).filter((c): c is string => !!c);
  // FOR SHARE: a CON committing meanwhile waits for us, then flushes what we left pending.
  const conns = connIds.length
    ? await tx.em.find(Connection, { where: { id: In(connIds) }, lock: { mode: 'pessimistic_read' } })
    : [];
  const connected = new Set(conns.filter((c) => c.stage === 'connected').map((c) => c.id));
  for (const member of members) {
    if (member.status === 'failed') continue;
    if (member.connId && connected.has(member.connId)) {
      await sendProtocolMessage(tx, group.userId, member.connId, { type: 'x.msg.new', msgId, text });
    } else {
      await tx.em.insert(PendingDelivery, { userId: group.userId, groupId: group.id, memberId: member.id, messageId: msgId });
    }
  }
  return msgId;
}

/** Receivers drop duplicates by msgId (the primary key). */
export async function receiveGroupMessage(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.msg.new'>): Promise<void> {
  if (!conn.groupId || !conn.memberId) return;
  await tx.em
    .createQueryBuilder()
    .insert()
    .into(GroupMessage)
    .values({ userId: conn.userId, id: msg.msgId, groupId: conn.groupId, fromMemberId: conn.memberId, text: msg.text, at: new Date() })
    .orIgnore()
    .execute();
}

/** On CON of a member's group connection: what waited for it goes out now, oldest first. */
export async function flushPendingDeliveries(tx: ChatTx, conn: Connection): Promise<void> {
  if (!conn.groupId || !conn.memberId) return;
  const ordered: { message_id: string; text: string }[] = await tx.em.query(
    `SELECT p.message_id, m.text FROM pending_deliveries p JOIN group_messages m ON m.user_id = p.user_id AND m.id = p.message_id
      WHERE p.user_id = $1 AND p.group_id = $2 AND p.member_id = $3 ORDER BY m.at, p.created_at FOR UPDATE OF p`,
    [conn.userId, conn.groupId, conn.memberId],
  );
  if (ordered.length === 0) return;
  await tx.em.delete(PendingDelivery, { userId: conn.userId, groupId: conn.groupId, memberId: conn.memberId });
  for (const row of ordered) {
    await sendProtocolMessage(tx, conn.userId, conn.id, { type: 'x.msg.new', msgId: row.message_id, text: row.text });
  }
}
