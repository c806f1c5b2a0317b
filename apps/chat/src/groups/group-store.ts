import { ChatTx } from '../commands/chat-tx';
import { Group } from './group.entity';
import { Member, MemberStatus } from './member.entity';

export function lockGroup(tx: ChatTx, userId: string, groupId: string): Promise<Group | null> {
  return tx.em.findOne(Group, { where: { userId, id: groupId }, lock: { mode: 'pessimistic_write' } });
}

export function findMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return tx.em.findOne(Member, { where: { userId, groupId, id: memberId } });
}

export function lockMember(tx: ChatTx, userId: string, groupId: string, memberId: string): Promise<Member | null> {
  return tx.em.findOne(Member, { where: { userId, groupId, id: memberId }, lock: { mode: 'pessimistic_write' } });
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
  await tx.em.update(
    Member,
    { userId: member.userId, groupId: member.groupId, id: member.id },
    to === 'failed' ? { status: to, failureReason: failureReason ?? 'failed' } : { status: to },
  );
  return true;
}

export function selfMember(tx: ChatTx, group: Group): Promise<Member | null> {
  return findMember(tx, group.userId, group.id, group.selfMemberId);
}
