import type { DataSource, EntityManager } from 'typeorm';
import { ChatTx } from '../outbox/chat-tx';
import { GroupMessage } from './group-message.entity';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;

/** Every statement on `group_messages` and `pending_deliveries`. */

/**
 * A message of our own: its time is now, but strictly after our previous message in this group (at
 * millisecond precision, which is what travels in x.msg.new), so our messages are in the order we
 * sent them everywhere they are listed. Returns that time.
 */
export async function insertOwnGroupMessage(tx: ChatTx, m: Omit<GroupMessage, 'at'>): Promise<Date> {
  const [row]: { at: Date }[] = await tx.em.query(
    `INSERT INTO ${CHAT_SCHEMA}.group_messages (user_id, id, group_id, from_member_id, text, at)
     SELECT $1, $2, $3, $4, $5, GREATEST(date_trunc('milliseconds', now()),
            (SELECT max(at) + interval '1 millisecond' FROM ${CHAT_SCHEMA}.group_messages WHERE user_id = $1 AND group_id = $3 AND from_member_id = $4))
     RETURNING at`,
    [m.userId, m.id, m.groupId, m.fromMemberId, m.text],
  );
  return new Date(row.at);
}

/** A sent or received group message; false when its msgId was there already (a duplicate). */
export async function insertGroupMessage(tx: ChatTx, m: GroupMessage): Promise<boolean> {
  const rows: unknown[] = await tx.em.query(
    `INSERT INTO ${CHAT_SCHEMA}.group_messages (user_id, id, group_id, from_member_id, text, at, forwarded) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
    [m.userId, m.id, m.groupId, m.fromMemberId, m.text, m.at, m.forwarded ?? 0],
  );
  return rows.length > 0;
}

/** A message waiting for the group connection with a member (several members in one statement). */
export async function addPendingDeliveries(tx: ChatTx, userId: string, groupId: string, memberIds: string[], messageId: string): Promise<void> {
  if (memberIds.length === 0) return;
  await tx.em.query(
    `INSERT INTO ${CHAT_SCHEMA}.pending_deliveries (user_id, group_id, member_id, message_id) SELECT $1, $2, unnest($3::uuid[]), $4`,
    [userId, groupId, memberIds, messageId],
  );
}

/** Takes (locks and deletes) what waited for a member, oldest first. */
export async function takePendingDeliveries(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<{ messageId: string; text: string; at: Date }[]> {
  const rows: { message_id: string; text: string; at: Date }[] = await tx.em.query(
    `SELECT p.message_id, m.text, m.at FROM ${CHAT_SCHEMA}.pending_deliveries p JOIN ${CHAT_SCHEMA}.group_messages m ON m.user_id = p.user_id AND m.id = p.message_id
      WHERE p.user_id = $1 AND p.group_id = $2 AND p.member_id = $3 ORDER BY m.at, p.created_at FOR UPDATE OF p`,
    [userId, groupId, memberId],
  );
  if (rows.length === 0) return [];
  await tx.em.query(`DELETE FROM ${CHAT_SCHEMA}.pending_deliveries WHERE user_id = $1 AND group_id = $2 AND member_id = $3`, [userId, groupId, memberId]);
  return rows.map((r) => ({ messageId: r.message_id, text: r.text, at: new Date(r.at) }));
}

/** Host: the message went on to `count` members by x.grp.msg.fwd. */
export async function recordForwards(tx: ChatTx, userId: string, messageId: string, count: number): Promise<void> {
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.group_messages SET forwarded = forwarded + $3 WHERE user_id = $1 AND id = $2`, [userId, messageId, count]);
}

/** How many deliveries of this group's messages went through the host (the progress view). */
export async function forwardedCount(db: Db, userId: string, groupId: string): Promise<number> {
  const [row]: { n: string | null }[] = await db.query(`SELECT sum(forwarded) AS n FROM ${CHAT_SCHEMA}.group_messages WHERE user_id = $1 AND group_id = $2`, [userId, groupId]);
  return Number(row?.n ?? 0);
}

/** What waited for these members (a departed one, or every member when we departed ourselves) is never sent. */
export async function dropPendingDeliveries(tx: ChatTx, userId: string, groupId: string, memberIds: string[] | 'all'): Promise<void> {
  await tx.em.query(`DELETE FROM ${CHAT_SCHEMA}.pending_deliveries WHERE user_id = $1 AND group_id = $2 AND ($3::uuid[] IS NULL OR member_id = ANY($3::uuid[]))`, [
    userId,
    groupId,
    memberIds === 'all' ? null : memberIds,
  ]);
}

/**
 * A page of a group's messages, oldest first (by the sender's time, then id: the same order for every
 * reader), after the message `after`; null when `after` is not a message of this group.
 */
export async function messagesOf(db: Db, userId: string, groupId: string, page: { limit: number; after?: string }): Promise<GroupMessage[] | null> {
  let cursor: { at: Date; id: string } | null = null;
  if (page.after !== undefined) {
    const found: { at: Date; id: string }[] = await db.query(`SELECT at, id FROM ${CHAT_SCHEMA}.group_messages WHERE user_id = $1 AND group_id = $2 AND id::text = $3`, [userId, groupId, page.after]);
    if (found.length === 0) return null;
    cursor = found[0];
  }
  const rows: { user_id: string; id: string; group_id: string; from_member_id: string; text: string; at: Date }[] = await db.query(
    `SELECT user_id, id, group_id, from_member_id, text, at FROM ${CHAT_SCHEMA}.group_messages
      WHERE user_id = $1 AND group_id = $2 AND ($3::timestamptz IS NULL OR (at, id) > ($3::timestamptz, $4::uuid))
      ORDER BY at, id LIMIT $5`,
    [userId, groupId, cursor?.at ?? null, cursor?.id ?? null, page.limit],
  );
  return rows.map((r) => Object.assign(new GroupMessage(), { userId: r.user_id, id: r.id, groupId: r.group_id, fromMemberId: r.from_member_id, text: r.text, at: new Date(r.at) }));
}
