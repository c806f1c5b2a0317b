import type { DataSource, EntityManager } from 'typeorm';
import { ChatTx } from '../outbox/chat-tx';
import { IntroductionStatus } from './introduction.entity';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;

/** Host side: one row per (newcomer, existing member) pair. Every statement on `introductions` is here. */
export interface IntroductionKey {
  userId: string;
  groupId: string;
  newMemberId: string;
  existingMemberId: string;
}
const keyParams = (k: IntroductionKey) => [k.userId, k.groupId, k.newMemberId, k.existingMemberId];

/**
 * One statement: an introduction row (`new`) for every other connected member of the group not yet
 * introduced to `newMemberId`; returns those members, oldest first — the rows it wrote are the
 * introductions to make (a row already there was made before). Run under the group lock, so two
 * members connecting at once are introduced to each other exactly once.
 */
export async function introduceToConnectedMembers(
  tx: ChatTx,
  userId: string,
  groupId: string,
  newMemberId: string,
): Promise<{ id: string; connId: string; displayName: string }[]> {
  const rows: { id: string; conn_id: string; display_name: string }[] = await tx.em.query(
    `WITH others AS (
       SELECT id, conn_id, display_name, created_at FROM ${CHAT_SCHEMA}.members
        WHERE user_id = $1 AND group_id = $2 AND NOT is_self AND status = 'connected' AND id <> $3 AND conn_id IS NOT NULL),
     fresh AS (
       INSERT INTO ${CHAT_SCHEMA}.introductions (user_id, group_id, new_member_id, existing_member_id, status)
       SELECT $1, $2, $3, id, 'new' FROM others ON CONFLICT DO NOTHING RETURNING existing_member_id)
     SELECT o.id, o.conn_id, o.display_name FROM others o JOIN fresh f ON f.existing_member_id = o.id ORDER BY o.created_at, o.id`,
    [userId, groupId, newMemberId],
  );
  return rows.map((r) => ({ id: r.id, connId: r.conn_id, displayName: r.display_name }));
}

export async function lockIntroduction(tx: ChatTx, key: IntroductionKey): Promise<IntroductionStatus | null> {
  const rows: { status: IntroductionStatus }[] = await tx.em.query(
    `SELECT status FROM ${CHAT_SCHEMA}.introductions WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4 FOR UPDATE`,
    keyParams(key),
  );
  return rows[0]?.status ?? null;
}

export async function setIntroductionStatus(tx: ChatTx, key: IntroductionKey, status: IntroductionStatus): Promise<void> {
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.introductions SET status = $5, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4`,
    [...keyParams(key), status],
  );
}

/** x.grp.mem.con from either side: the introduction of the pair (in whichever direction it was made) is done. */
export async function markPairConnected(tx: ChatTx, userId: string, groupId: string, a: string, b: string): Promise<void> {
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.introductions SET status = 'connected', updated_at = now()
      WHERE user_id = $1 AND group_id = $2 AND status <> 'connected'
        AND ((new_member_id = $3 AND existing_member_id = $4) OR (new_member_id = $4 AND existing_member_id = $3))`,
    [userId, groupId, a, b],
  );
}

/**
 * A departed member's introductions, gone: none of them is forwarded or re-driven any more (a late
 * x.grp.mem.inv finds no row), and no new one is made (only connected members are introduced).
 */
export async function dropIntroductionsOf(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<void> {
  await tx.em.query(`DELETE FROM ${CHAT_SCHEMA}.introductions WHERE user_id = $1 AND group_id = $2 AND (new_member_id = $3 OR existing_member_id = $3)`, [userId, groupId, memberId]);
}

/**
 * Host: the members a message from `senderId` must be forwarded to — still in the group, connected
 * with us, and whose introduction to the sender is not connected yet (forwarding until connected).
 */
export async function membersNotConnectedWith(tx: ChatTx, userId: string, groupId: string, senderId: string): Promise<{ id: string; connId: string }[]> {
  const rows: { id: string; conn_id: string }[] = await tx.em.query(
    `SELECT m.id, m.conn_id FROM ${CHAT_SCHEMA}.members m JOIN ${CHAT_SCHEMA}.connections c ON c.id = m.conn_id AND c.stage = 'connected'
      WHERE m.user_id = $1 AND m.group_id = $2 AND NOT m.is_self AND m.id <> $3 AND m.status = 'connected'
        AND NOT EXISTS (SELECT 1 FROM ${CHAT_SCHEMA}.introductions i WHERE i.user_id = $1 AND i.group_id = $2 AND i.status = 'connected'
              AND ((i.new_member_id = $3 AND i.existing_member_id = m.id) OR (i.new_member_id = m.id AND i.existing_member_id = $3)))
      ORDER BY m.created_at, m.id`,
    [userId, groupId, senderId],
  );
  return rows.map((r) => ({ id: r.id, connId: r.conn_id }));
}

/**
 * A host's introductions for its progress view: how many connect two live (not failed, not departed) members, and
 * the first `limit` of those that wait (a group of 1,000 has ~500k introductions: they are counted in
 * Postgres, not read).
 */
export async function introductionProgress(
  db: Db,
  userId: string,
  groupId: string,
  limit: number,
): Promise<{ connected: number; reintroductions: number; waiting: { newMemberId: string; existingMemberId: string; status: IntroductionStatus; updatedAt: Date; attempts: number; lastError: string | null }[] }> {
  const live = `FROM ${CHAT_SCHEMA}.introductions i
      JOIN ${CHAT_SCHEMA}.members a ON a.user_id = i.user_id AND a.group_id = i.group_id AND a.id = i.new_member_id AND a.status NOT IN ('failed', 'removed', 'left')
      JOIN ${CHAT_SCHEMA}.members b ON b.user_id = i.user_id AND b.group_id = i.group_id AND b.id = i.existing_member_id AND b.status NOT IN ('failed', 'removed', 'left')
     WHERE i.user_id = $1 AND i.group_id = $2`;
  const [[{ connected, reintroductions }], waiting]: [[{ connected: string; reintroductions: string | null }], { new_member_id: string; existing_member_id: string; status: IntroductionStatus; updated_at: Date; attempts: number; last_error: string | null }[]] = await Promise.all([
    db.query(`SELECT count(*) FILTER (WHERE i.status = 'connected') AS connected, sum(i.attempts) AS reintroductions ${live}`, [userId, groupId]),
    db.query(`SELECT i.new_member_id, i.existing_member_id, i.status, i.updated_at, i.attempts, i.last_error ${live} AND i.status <> 'connected' ORDER BY i.updated_at LIMIT $3`, [userId, groupId, limit]),
  ]);
  return {
    connected: Number(connected),
    reintroductions: Number(reintroductions ?? 0),
    waiting: waiting.map((r) => ({ newMemberId: r.new_member_id, existingMemberId: r.existing_member_id, status: r.status, updatedAt: new Date(r.updated_at), attempts: Number(r.attempts), lastError: r.last_error })),
  };
}

/** The introduction of a pair, in whichever direction it was made, locked. */
export async function lockIntroductionOfPair(tx: ChatTx, userId: string, groupId: string, a: string, b: string): Promise<{ key: IntroductionKey; status: IntroductionStatus; attempts: number } | null> {
  const rows: { new_member_id: string; existing_member_id: string; status: IntroductionStatus; attempts: number }[] = await tx.em.query(
    `SELECT new_member_id, existing_member_id, status, attempts FROM ${CHAT_SCHEMA}.introductions
      WHERE user_id = $1 AND group_id = $2 AND ((new_member_id = $3 AND existing_member_id = $4) OR (new_member_id = $4 AND existing_member_id = $3)) FOR UPDATE`,
    [userId, groupId, a, b],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return { key: { userId, groupId, newMemberId: r.new_member_id, existingMemberId: r.existing_member_id }, status: r.status, attempts: Number(r.attempts) };
}

/** The pair's connection failed for good: `retrying`, to be scheduled (retry_at unset) by scheduleReintroductions. */
export async function introductionFailed(tx: ChatTx, key: IntroductionKey, reason: string): Promise<void> {
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.introductions SET status = 'retrying', retry_at = NULL, last_error = $5, updated_at = now()
      WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4`,
    [...keyParams(key), reason],
  );
}

/**
 * One statement: every failed introduction not scheduled yet gets its next attempt at now + base·2^n,
 * capped at `maxMs` (n: attempts made), or, after `maxAttempts`, ends `failed` with its last reason.
 */
export async function scheduleReintroductions(db: Db, maxAttempts: number, baseMs: number, maxMs: number): Promise<void> {
  await db.query(
    `UPDATE ${CHAT_SCHEMA}.introductions SET
        status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'retrying' END,
        retry_at = CASE WHEN attempts >= $1 THEN NULL ELSE now() + LEAST($2::float8 * power(2, attempts), $3::float8) * interval '1 millisecond' END,
        attempts = CASE WHEN attempts >= $1 THEN attempts ELSE attempts + 1 END,
        updated_at = now()
      WHERE status = 'retrying' AND retry_at IS NULL`,
    [maxAttempts, baseMs, maxMs],
  );
}

/** Starts a due re-introduction over (`new`: the newcomer's fresh invitations are forwarded again); false if it is not due any more. */
export async function restartIntroduction(tx: ChatTx, key: IntroductionKey): Promise<boolean> {
  const rows: unknown[] = await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.introductions SET status = 'new', retry_at = NULL, updated_at = now()
      WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4 AND status = 'retrying' AND retry_at <= now() RETURNING 1`,
    keyParams(key),
  );
  return rows.length > 0;
}

/** Re-introductions whose backoff is over (any group), oldest first. */
export async function dueReintroductions(db: Db, limit: number): Promise<IntroductionKey[]> {
  const rows: { user_id: string; group_id: string; new_member_id: string; existing_member_id: string }[] = await db.query(
    `SELECT user_id, group_id, new_member_id, existing_member_id FROM ${CHAT_SCHEMA}.introductions WHERE status = 'retrying' AND retry_at <= now() ORDER BY retry_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ userId: r.user_id, groupId: r.group_id, newMemberId: r.new_member_id, existingMemberId: r.existing_member_id }));
}
