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

export async function insertMember(
  tx: ChatTx,
  m: Pick<Member, 'userId' | 'groupId' | 'id' | 'displayName' | 'status'> & Partial<Member>,
): Promise<void> {
  await tx.em
    .createQueryBuilder()
    .insert()
    .into(Member)
    .values({ isSelf: false, isHost: false, connId: null, directConnId: null, failureReason: null, ...m })
    .orIgnore()
    .execute();
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

export function selfMember(tx: ChatTx, group: Group): Promise<Member | null> {
  return findMember(tx, group.userId, group.id, group.selfMemberId);
}
