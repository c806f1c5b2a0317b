import { ChatTx } from '../commands/chat-tx';
import { Group } from './group.entity';
import { Member, MemberStatus } from './member.entity';
import { GROUP_SELECT, groupFromRow, GroupRow, MEMBER_SELECT, memberFromRow, MemberRow } from './group-rows';

export async function lockGroup(tx: ChatTx, userId: string, groupId: string): Promise<Group | null> {
  const rows: GroupRow[] = await tx.em.query(`SELECT ${GROUP_SELECT} FROM groups WHERE user_id = $1 AND id = $2 FOR UPDATE`, [userId, groupId]);
  return rows.length > 0 ? groupFromRow(rows[0]) : null;
}

export function findMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return selectMember(tx, userId, groupId, memberId, '');
}

export function lockMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return selectMember(tx, userId, groupId, memberId, 'FOR UPDATE');
}

async function selectMember(tx: ChatTx, userId: string, groupId: string, memberId: string, lock: '' | 'FOR UPDATE'): Promise<Member | null> {
  const rows: MemberRow[] = await tx.em.query(`SELECT ${MEMBER_SELECT} FROM members WHERE user_id = $1 AND group_id = $2 AND id = $3 ${lock}`, [
    userId,
    groupId,
    memberId,
  ]);
  return rows.length > 0 ? memberFromRow(rows[0]) : null;
}

/** A member we learn about; an existing row (the same member heard of twice) is left as it is. */
export async function insertMember(
  tx: ChatTx,
  m: Pick<Member, 'userId' | 'groupId' | 'id' | 'displayName' | 'status'> & Partial<Pick<Member, 'isSelf' | 'isHost' | 'connId'>>,
): Promise<void> {
  await tx.em.query(
    `INSERT INTO members (user_id, group_id, id, display_name, status, is_self, is_host, conn_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT DO NOTHING`,
    [m.userId, m.groupId, m.id, m.displayName, m.status, m.isSelf ?? false, m.isHost ?? false, m.connId ?? null],
  );
}

// A member's status never moves backwards (events arrive reordered and repeated).
const RANK: Record<MemberStatus, number> = {
  invited: 0,
  announced: 0,
  introduced: 0,
  accepted: 1,
  'intro-invited': 1,
  connected: 2,
  failed: 3,
};

export async function setMemberStatus(tx: ChatTx, member: Member, to: MemberStatus, failureReason?: string): Promise<boolean> {
  if (member.status === 'failed' || member.status === 'connected') return false;
  if (RANK[to] <= RANK[member.status]) return false;
  member.status = to;
  if (to === 'failed') member.failureReason = failureReason ?? 'failed';
  await tx.em.query(
    `UPDATE members SET status = $4, failure_reason = COALESCE($5, failure_reason), updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $3`,
    [member.userId, member.groupId, member.id, to, to === 'failed' ? member.failureReason : null],
  );
  return true;
}

/** The connection of the group's host (null before we joined, or for a group we host). */
export async function hostConnId(tx: ChatTx, userId: string, groupId: string): Promise<string | null> {
  const rows: { conn_id: string | null }[] = await tx.em.query(
    `SELECT h.conn_id FROM groups g JOIN members h ON h.user_id = g.user_id AND h.group_id = g.id AND h.id = g.host_member_id
      WHERE g.user_id = $1 AND g.id = $2`,
    [userId, groupId],
  );
  return rows[0]?.conn_id ?? null;
}

/** Our own member id and name in a group (what x.grp.mem.info tells a peer). */
export async function selfInfo(tx: ChatTx, userId: string, groupId: string): Promise<{ memberId: string; displayName: string }> {
  const rows: { id: string; display_name: string | null }[] = await tx.em.query(
    `SELECT g.self_member_id AS id, s.display_name FROM groups g
       LEFT JOIN members s ON s.user_id = g.user_id AND s.group_id = g.id AND s.id = g.self_member_id
      WHERE g.user_id = $1 AND g.id = $2`,
    [userId, groupId],
  );
  if (rows.length === 0) throw new Error(`group ${groupId} of user ${userId} vanished`);
  return { memberId: rows[0].id, displayName: rows[0].display_name ?? 'unknown' };
}

export function selfMember(tx: ChatTx, group: Group): Promise<Member | null> {
  return findMember(tx, group.userId, group.id, group.selfMemberId);
}
