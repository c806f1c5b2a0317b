import type { DataSource, EntityManager } from 'typeorm';
import type { SqlParams } from '@gc/persistence';
import { ChatTx } from '../outbox/chat-tx';
import { Group } from './group.entity';
import { DepartedStatus, hasDeparted, Member, MemberStatus } from './member.entity';

/** A member with the state of the group connection with it (the progress view). */
export interface MemberConnectionState {
  memberId: string;
  displayName: string;
  status: MemberStatus;
  connected: boolean;
  updatedAt: Date;
  failureReason: string | null;
}
import { GROUP_SELECT, groupFromRow, GroupRow, MEMBER_SELECT, memberFromRow, MemberRow } from './group-rows';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;

/**
 * The groups and members tables: each user's own copy of a group and of its roster. Every statement
 * on them is here (introductions have their own store).
 */

export async function findGroup(db: Db, userId: string, groupId: string): Promise<Group | null> {
  const rows: GroupRow[] = await db.query(`SELECT ${GROUP_SELECT} FROM ${CHAT_SCHEMA}.groups WHERE user_id = $1 AND id = $2`, [userId, groupId]);
  return rows.length > 0 ? groupFromRow(rows[0]) : null;
}

/** One user's groups, oldest first, each with its own membership status (null if its self row is missing). */
export async function groupsOf(db: Db, userId: string): Promise<{ group: Group; membership: MemberStatus | null }[]> {
  const rows: (GroupRow & { membership: MemberStatus | null })[] = await db.query(
    `SELECT ${GROUP_SELECT.split(', ').map((c) => `g.${c}`).join(', ')}, s.status AS membership FROM ${CHAT_SCHEMA}.groups g
       LEFT JOIN ${CHAT_SCHEMA}.members s ON s.user_id = g.user_id AND s.group_id = g.id AND s.id = g.self_member_id
      WHERE g.user_id = $1 ORDER BY g.created_at, g.id`,
    [userId],
  );
  return rows.map((r) => ({ group: groupFromRow(r), membership: r.membership }));
}

/** A group we host: its row and our own member row (connected from the start). */
export async function createHostedGroup(tx: ChatTx, g: Pick<Group, 'userId' | 'id' | 'name' | 'selfMemberId'>, selfName: string): Promise<void> {
  await tx.em.query(
    `WITH g AS (INSERT INTO ${CHAT_SCHEMA}.groups (user_id, id, name, host_member_id, self_member_id) VALUES ($1, $2, $3, $4, $4))
     INSERT INTO ${CHAT_SCHEMA}.members (user_id, group_id, id, display_name, status, is_self, is_host) VALUES ($1, $2, $4, $5, 'connected', true, true)`,
    [g.userId, g.id, g.name, g.selfMemberId, selfName],
  );
}

/** A group we are invited to (x.grp.inv); false when we had it already (the same invitation again). */
export async function insertInvitedGroup(tx: ChatTx, g: Omit<Group, 'createdAt'>): Promise<boolean> {
  const rows: unknown[] = await tx.em.query(
    `INSERT INTO ${CHAT_SCHEMA}.groups (user_id, id, name, host_member_id, self_member_id, invitation, invited_via_conn_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [g.userId, g.id, g.name, g.hostMemberId, g.selfMemberId, g.invitation, g.invitedViaConnId],
  );
  return rows.length > 0;
}

/**
 * A new invitation to a group whose earlier invitation failed (our JOIN refused for good: we never
 * connected to anyone of it): the copy takes the new invitation, self member id and contact, the host
 * member starts over as `invited` with no connection. False when the copy is not in that state (a
 * repeated invitation of a live membership changes nothing).
 */
export async function reopenFailedInvitation(tx: ChatTx, g: Omit<Group, 'createdAt'>): Promise<boolean> {
  const rows: unknown[] = await tx.em.query(
    `WITH reopened AS (
       UPDATE ${CHAT_SCHEMA}.groups g SET name = $3, host_member_id = $4, self_member_id = $5, invitation = $6, invited_via_conn_id = $7
        WHERE g.user_id = $1 AND g.id = $2 AND g.host_member_id = $4
          AND EXISTS (SELECT 1 FROM ${CHAT_SCHEMA}.members s WHERE s.user_id = g.user_id AND s.group_id = g.id AND s.id = g.self_member_id AND s.status = 'failed')
       RETURNING g.user_id)
     UPDATE ${CHAT_SCHEMA}.members m SET status = 'invited', failure_reason = NULL, conn_id = NULL, updated_at = now()
       FROM reopened WHERE m.user_id = reopened.user_id AND m.group_id = $2 AND m.id = $4
     RETURNING 1`,
    [g.userId, g.id, g.name, g.hostMemberId, g.selfMemberId, g.invitation, g.invitedViaConnId],
  );
  return rows.length > 0;
}

export async function lockGroup(tx: ChatTx, userId: string, groupId: string): Promise<Group | null> {
  const rows: GroupRow[] = await tx.em.query(`SELECT ${GROUP_SELECT} FROM ${CHAT_SCHEMA}.groups WHERE user_id = $1 AND id = $2 FOR UPDATE`, [userId, groupId]);
  return rows.length > 0 ? groupFromRow(rows[0]) : null;
}

export function findMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return selectMember(tx, userId, groupId, memberId, '');
}

export function lockMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return selectMember(tx, userId, groupId, memberId, 'FOR UPDATE');
}

async function selectMember(tx: ChatTx, userId: string, groupId: string, memberId: string, lock: '' | 'FOR UPDATE'): Promise<Member | null> {
  const rows: MemberRow[] = await tx.em.query(`SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND id = $3 ${lock}`, [
    userId,
    groupId,
    memberId,
  ]);
  return rows.length > 0 ? memberFromRow(rows[0]) : null;
}

export async function membersByIds(tx: ChatTx, userId: string, groupId: string, ids: string[]): Promise<Member[]> {
  const rows: MemberRow[] = await tx.em.query(`SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND id = ANY($3)`, [userId, groupId, ids]);
  return rows.map(memberFromRow);
}

/** A member we learn about; an existing row (the same member heard of twice) is left as it is. */
export async function insertMember(
  tx: ChatTx,
  m: Pick<Member, 'userId' | 'groupId' | 'id' | 'displayName' | 'status'> & Partial<Pick<Member, 'isSelf' | 'isHost' | 'connId' | 'invitedViaContactId' | 'failureReason'>>,
): Promise<void> {
  await tx.em.query(
    `INSERT INTO ${CHAT_SCHEMA}.members (user_id, group_id, id, display_name, status, is_self, is_host, conn_id, invited_via_contact_id, failure_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [m.userId, m.groupId, m.id, m.displayName, m.status, m.isSelf ?? false, m.isHost ?? false, m.connId ?? null, m.invitedViaContactId ?? null, m.failureReason ?? null],
  );
}

/**
 * A departed member we may not have heard of yet (x.grp.mem.del or x.grp.leave before x.grp.mem.new):
 * its row is written as departed, so a late announcement or forward of it finds it gone. Returns the
 * row, locked; its status is the departure only if it was written now.
 */
export async function lockOrInsertDeparted(tx: ChatTx, userId: string, groupId: string, memberId: string, status: DepartedStatus): Promise<Member> {
  await insertMember(tx, { userId, groupId, id: memberId, displayName: 'unknown', status });
  const member = await lockMember(tx, userId, groupId, memberId);
  if (!member) throw new Error(`member ${memberId} of group ${groupId} vanished`);
  return member;
}

/** The members still in the group we have a group connection with (the ones a group-wide message goes to). */
export async function activeMembersWithConnection(tx: ChatTx, userId: string, groupId: string): Promise<Member[]> {
  const rows: MemberRow[] = await tx.em.query(
    `SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND NOT is_self AND conn_id IS NOT NULL
        AND status NOT IN ('failed', 'removed', 'left') ORDER BY created_at, id`,
    [userId, groupId],
  );
  return rows.map(memberFromRow);
}

/** Every other member we hold a group or direct connection with (what leaving deletes). */
export async function membersWithConnections(tx: ChatTx, userId: string, groupId: string): Promise<Member[]> {
  const rows: MemberRow[] = await tx.em.query(
    `SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND NOT is_self AND (conn_id IS NOT NULL OR direct_conn_id IS NOT NULL)
      ORDER BY created_at, id FOR UPDATE`,
    [userId, groupId],
  );
  return rows.map(memberFromRow);
}

/**
 * The host re-introduces us to this member: its old connections are deleted, and its row starts
 * over from `status` (the one exception to "a status never moves back": only the host asks for it).
 */
export async function resetMemberForReintroduction(tx: ChatTx, member: Member, status: 'introduced' | 'announced'): Promise<void> {
  Object.assign(member, { status, connId: null, directConnId: null, failureReason: null });
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.members SET status = $4, conn_id = NULL, direct_conn_id = NULL, failure_reason = NULL, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $3`,
    [member.userId, member.groupId, member.id, status],
  );
}

/** The group connection with a member (set when it is opened). */
export async function setMemberConnection(tx: ChatTx, member: Pick<Member, 'userId' | 'groupId' | 'id'>, connId: string): Promise<void> {
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.members SET conn_id = $4, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $3`, [member.userId, member.groupId, member.id, connId]);
}

/** An introduction's two connections with a member, as a WITH item `name` of a larger statement. */
export function memberConnectionsItem(name: string, member: Pick<Member, 'userId' | 'groupId' | 'id'>, groupConnId: string, directConnId: string, p: SqlParams): string {
  return `${name} AS (UPDATE ${CHAT_SCHEMA}.members SET conn_id = ${p.add(groupConnId, 'text')}, direct_conn_id = ${p.add(directConnId, 'text')}, updated_at = now()
    WHERE user_id = ${p.add(member.userId, 'uuid')} AND group_id = ${p.add(member.groupId, 'uuid')} AND id = ${p.add(member.id, 'uuid')})`;
}

export async function setMemberDisplayName(tx: ChatTx, member: Member, displayName: string): Promise<void> {
  member.displayName = displayName;
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.members SET display_name = $4 WHERE user_id = $1 AND group_id = $2 AND id = $3`, [member.userId, member.groupId, member.id, displayName]);
}

/** The other members of a group (not oneself), oldest first. */
export async function otherMembersOf(db: Db, userId: string, groupId: string): Promise<Member[]> {
  const rows: MemberRow[] = await db.query(`SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND NOT is_self ORDER BY created_at, id`, [userId, groupId]);
  return rows.map(memberFromRow);
}

/** The other members of a group, with whether the group connection with each is up (the progress view). */
export async function membersWithConnectionState(db: Db, userId: string, groupId: string): Promise<MemberConnectionState[]> {
  const rows: { id: string; display_name: string; status: MemberStatus; updated_at: Date; failure_reason: string | null; connected: boolean | null }[] = await db.query(
    `SELECT m.id, m.display_name, m.status, m.updated_at, m.failure_reason, c.stage = 'connected' AS connected
       FROM ${CHAT_SCHEMA}.members m LEFT JOIN ${CHAT_SCHEMA}.connections c ON c.id = m.conn_id
      WHERE m.user_id = $1 AND m.group_id = $2 AND NOT m.is_self
      ORDER BY m.created_at, m.id`,
    [userId, groupId],
  );
  return rows.map((m) => ({
    memberId: m.id,
    displayName: m.display_name,
    status: m.status,
    connected: m.connected === true,
    updatedAt: new Date(m.updated_at),
    failureReason: m.failure_reason,
  }));
}

/** The copies of a group on this chat service: of one user, or (null) of every user that has one. */
export async function groupsCopiesOf(db: Db, groupId: string, userId: string | null): Promise<{ userId: string; selfMemberId: string }[]> {
  const rows: { user_id: string; self_member_id: string }[] = await db.query(
    `SELECT user_id, self_member_id FROM ${CHAT_SCHEMA}.groups WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)`,
    [groupId, userId],
  );
  return rows.map((r) => ({ userId: r.user_id, selfMemberId: r.self_member_id }));
}

/** Host side: members invited through this contact that have not accepted yet fail with the reason. */
export async function failMembersInvitedVia(tx: ChatTx, userId: string, contactId: string, reason: string): Promise<void> {
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.members SET status = 'failed', failure_reason = $3, updated_at = now() WHERE user_id = $1 AND invited_via_contact_id = $2 AND status = 'invited'`,
    [userId, contactId, reason],
  );
}

/** Host side: the member this contact was invited as and has not failed, if any. */
export async function activeMemberInvitedVia(db: Db, userId: string, groupId: string, contactId: string): Promise<Member | null> {
  const rows: MemberRow[] = await db.query(
    `SELECT ${MEMBER_SELECT} FROM ${CHAT_SCHEMA}.members WHERE user_id = $1 AND group_id = $2 AND invited_via_contact_id = $3 AND status NOT IN ('failed', 'removed', 'left') LIMIT 1`,
    [userId, groupId, contactId],
  );
  return rows.length > 0 ? memberFromRow(rows[0]) : null;
}

// A member's status never moves backwards (events arrive reordered and repeated). A departure
// (removed, left) ends any status, even connected or failed, and nothing ends a departure.
const RANK: Record<MemberStatus, number> = {
  invited: 0,
  announced: 0,
  introduced: 0,
  accepted: 1,
  'intro-invited': 1,
  connected: 2,
  failed: 3,
  removed: 4,
  left: 4,
};

/** The group connection with a member broke for good: it fails even if it was connected (not once it departed). */
export async function memberLost(tx: ChatTx, member: Member, reason: string): Promise<void> {
  if (hasDeparted(member.status) || member.status === 'failed') return;
  member.status = 'failed';
  member.failureReason = reason;
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.members SET status = 'failed', failure_reason = $4, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $3`, [
    member.userId,
    member.groupId,
    member.id,
    reason,
  ]);
}

export async function setMemberStatus(tx: ChatTx, member: Member, to: MemberStatus, failureReason?: string): Promise<boolean> {
  if (hasDeparted(member.status)) return false;
  if (!hasDeparted(to) && (member.status === 'failed' || member.status === 'connected')) return false;
  if (RANK[to] <= RANK[member.status]) return false;
  member.status = to;
  if (to === 'failed') member.failureReason = failureReason ?? 'failed';
  await tx.em.query(
    `UPDATE ${CHAT_SCHEMA}.members SET status = $4, failure_reason = COALESCE($5, failure_reason), updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $3`,
    [member.userId, member.groupId, member.id, to, to === 'failed' ? member.failureReason : null],
  );
  return true;
}

/** The connection of the group's host (null before we joined, or for a group we host). */
export async function hostConnId(tx: ChatTx, userId: string, groupId: string): Promise<string | null> {
  const rows: { conn_id: string | null }[] = await tx.em.query(
    `SELECT h.conn_id FROM ${CHAT_SCHEMA}.groups g JOIN ${CHAT_SCHEMA}.members h ON h.user_id = g.user_id AND h.group_id = g.id AND h.id = g.host_member_id
      WHERE g.user_id = $1 AND g.id = $2`,
    [userId, groupId],
  );
  return rows[0]?.conn_id ?? null;
}

/** One read for the second INV of an introduction: the other connection's invitation and the host's connection. */
export async function invitationAndHostConnection(tx: ChatTx, userId: string, groupId: string, connId: string): Promise<{ invitation: string | null; hostConnId: string | null }> {
  const [row]: { invitation: string | null; host_conn_id: string | null }[] = await tx.em.query(
    `SELECT c.invitation, h.conn_id AS host_conn_id FROM ${CHAT_SCHEMA}.connections c
       JOIN ${CHAT_SCHEMA}.groups g ON g.user_id = $2 AND g.id = $3
       LEFT JOIN ${CHAT_SCHEMA}.members h ON h.user_id = g.user_id AND h.group_id = g.id AND h.id = g.host_member_id
      WHERE c.id = $1`,
    [connId, userId, groupId],
  );
  return { invitation: row?.invitation ?? null, hostConnId: row?.host_conn_id ?? null };
}

/** Our own member id and name in a group (what x.grp.mem.info tells a peer). */
export async function selfInfo(tx: ChatTx, userId: string, groupId: string): Promise<{ memberId: string; displayName: string }> {
  const rows: { id: string; display_name: string | null }[] = await tx.em.query(
    `SELECT g.self_member_id AS id, s.display_name FROM ${CHAT_SCHEMA}.groups g
       LEFT JOIN ${CHAT_SCHEMA}.members s ON s.user_id = g.user_id AND s.group_id = g.id AND s.id = g.self_member_id
      WHERE g.user_id = $1 AND g.id = $2`,
    [userId, groupId],
  );
  if (rows.length === 0) throw new Error(`group ${groupId} of user ${userId} vanished`);
  return { memberId: rows[0].id, displayName: rows[0].display_name ?? 'unknown' };
}
