import { endConnection, lockConnection, lockConnectionsShared } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { dropPendingDeliveries } from '../group-messages/group-message-store';
import { activeMembersWithConnection, lockGroup, lockMember, lockOrInsertDeparted, membersWithConnections, setMemberStatus } from '../members/group-store';
import { Group } from '../members/group.entity';
import { dropIntroductionsOf } from '../members/introduction-store';
import { DepartedStatus, hasDeparted, Member } from '../members/member.entity';
import { ChatTx } from '../outbox/chat-tx';
import { withdrawFailedBeforeDelete } from '../outbox/command-store';
import { ProtocolMessage, ProtocolMessageOf } from '../protocol/protocol-message';
import { sendRequest } from '../protocol/protocol-sender';

/**
 * The group lifecycle (docs/architecture.md): removal (the host's x.grp.mem.del) and leaving (the member's
 * x.grp.leave). Every side marks the member departed (for good), deletes its own group and direct
 * connections with it through DELETE commands (outbox rows: they survive crashes and Redis loss,
 * and each goes after what is already queued on its connection, e.g. the x.grp.mem.del to the
 * removed member itself), drops what waited for it and forgets its introductions, so nothing more
 * goes to it and none of its introductions is forwarded again.
 */

/** DELETE of our side of one connection; the connection ends at once, so a late CON or MSG on it changes nothing. */
async function deleteConnection(tx: ChatTx, member: Pick<Member, 'userId' | 'groupId' | 'id'>, connId: string, reason: string): Promise<void> {
  // A command of it that failed already, because the peer deleted its side first, was only moot.
  // (Commands before the connection: the lock order of the resumer, which claims, then locks.)
  await withdrawFailedBeforeDelete(tx.em, connId);
  const conn = await lockConnection(tx, member.userId, connId);
  if (!conn || !(await endConnection(tx, conn, reason))) return;
  await tx.ask(member.userId, { function: 'DELETE_MEMBER_CONNECTION', groupId: member.groupId, memberId: member.id }, { type: 'DELETE', connId });
}

export async function deleteConnectionsWith(tx: ChatTx, member: Member, reason: string): Promise<void> {
  for (const connId of [member.connId, member.directConnId]) if (connId) await deleteConnection(tx, member, connId, reason);
}

const REASON: Record<DepartedStatus, string> = { removed: 'the member was removed', left: 'the member left' };

/** Another member departed: in our copy it is gone, with our connections with it. False when it was gone already. */
async function dropMember(tx: ChatTx, member: Member, status: DepartedStatus): Promise<boolean> {
  if (!(await setMemberStatus(tx, member, status))) return false;
  await deleteConnectionsWith(tx, member, REASON[status]);
  await dropPendingDeliveries(tx, member.userId, member.groupId, [member.id]);
  await dropIntroductionsOf(tx, member.userId, member.groupId, member.id);
  return true;
}

/** We departed ourselves: our membership ends and every connection of this group with it. */
async function departOurselves(tx: ChatTx, group: Group, status: DepartedStatus): Promise<void> {
  const self = await lockMember(tx, group.userId, group.id, group.selfMemberId);
  if (!self || !(await setMemberStatus(tx, self, status))) return;
  const reason = status === 'removed' ? 'we were removed from the group' : 'we left the group';
  for (const member of await membersWithConnections(tx, group.userId, group.id)) await deleteConnectionsWith(tx, member, reason);
  await dropPendingDeliveries(tx, group.userId, group.id, 'all');
}

/** One protocol message to every member still in the group whose group connection with us is up. */
async function tellConnectedMembers(tx: ChatTx, group: Group, message: ProtocolMessage): Promise<void> {
  const members = await activeMembersWithConnection(tx, group.userId, group.id);
  // FOR SHARE: a CON committing meanwhile waits for us; a member connecting later is never introduced to the departed one.
  const up = new Set((await lockConnectionsShared(tx, members.map((m) => m.connId!))).filter((c) => c.stage === 'connected').map((c) => c.id));
  await tx.askAll(group.userId, members.filter((m) => up.has(m.connId!)).map((m) => sendRequest(m.connId!, message)));
}

/** DELETE …/members/:memberId (host, group locked): everyone hears x.grp.mem.del, the removed member too, then we drop it. */
export async function removeMember(tx: ChatTx, group: Group, member: Member): Promise<void> {
  if (hasDeparted(member.status)) return;
  // The removed member is still active here, so it is told too, before our DELETE on that connection.
  await tellConnectedMembers(tx, group, { type: 'x.grp.mem.del', memberId: member.id });
  await dropMember(tx, member, 'removed');
}

/** POST …/leave (a member, group locked): x.grp.leave to every member connected with us, then we are gone. */
export async function leaveGroup(tx: ChatTx, group: Group): Promise<void> {
  await tellConnectedMembers(tx, group, { type: 'x.grp.leave', memberId: group.selfMemberId });
  await departOurselves(tx, group, 'left');
}

/** x.grp.mem.del from the host: another member is gone, or we are. */
export async function onMemberRemoved(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.del'>): Promise<void> {
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  if (!group || msg.memberId === group.hostMemberId) return;
  if (msg.memberId === group.selfMemberId) return departOurselves(tx, group, 'removed');
  await dropMember(tx, await lockOrInsertDeparted(tx, group.userId, group.id, msg.memberId, 'removed'), 'removed');
}

/**
 * x.grp.leave: from the leaver over its own group connection (it speaks only for itself), or from
 * the host, who relays it to the members that are not connected with the leaver yet.
 */
export async function onMemberLeft(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.leave'>): Promise<void> {
  if (conn.purpose !== 'member-host' && msg.memberId !== conn.memberId) return;
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  if (!group || msg.memberId === group.selfMemberId || msg.memberId === group.hostMemberId) return;
  const member = await lockOrInsertDeparted(tx, group.userId, group.id, msg.memberId, 'left');
  if (!(await dropMember(tx, member, 'left'))) return;
  if (group.selfMemberId === group.hostMemberId) await tellConnectedMembers(tx, group, { type: 'x.grp.leave', memberId: member.id });
}
