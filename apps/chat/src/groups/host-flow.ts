import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AgentEventOf } from '@gc/contracts';
import { failConnection, failConnectionOf, lockConnection, openConnection, recordInvitation, recordPeerInfo } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { findContact } from '../contacts/contact-store';
import { Contact } from '../contacts/contact.entity';
import { flushPendingDeliveries } from '../group-messages/group-messaging';
import { findGroup, findMember, insertMember, lockGroup, lockMember, membersByIds, setMemberDisplayName, setMemberStatus } from '../members/group-store';
import { Group } from '../members/group.entity';
import { introduceToConnectedMembers, lockIntroduction, markPairConnected, setIntroductionStatus } from '../members/introduction-store';
import { ChatTx } from '../outbox/chat-tx';
import { ContinuationOf } from '../outbox/continuation';
import { encodeProtocolMessage, ProtocolMessage, ProtocolMessageOf, readsBatches } from '../protocol/protocol-message';
import { checkInvitation } from '../protocol/invitation-policy';
import { sendBatchRequests, sendProtocolMessage, sendRequest } from '../protocol/protocol-sender';
import { sendToMember } from './peer-send';
import { requireUser } from '../users/user-store';

const log = new Logger('HostFlow');

/** APIAddMember: record the member and a CREATE; the invitation goes out on INV. */
export async function addMember(tx: ChatTx, group: Group, contact: Contact): Promise<string> {
  const memberId = randomUUID();
  const conn = await openConnection(tx, { userId: group.userId, role: 'inviter', purpose: 'host-member', groupId: group.id, memberId });
  await insertMember(tx, {
    userId: group.userId,
    groupId: group.id,
    id: memberId,
    displayName: contact.displayName ?? 'unknown',
    status: 'invited',
    connId: conn.id,
    invitedViaContactId: contact.id,
  });
  await tx.ask(
    group.userId,
    { function: 'CREATE_GROUP_MEMBER_INVITATION', groupId: group.id, memberId, contactId: contact.id },
    { type: 'CREATE', connId: conn.id },
  );
  return memberId;
}

/** INV of an APIAddMember: send x.grp.inv to the invitee over our contact connection. */
export async function onMemberInvitationCreated(
  tx: ChatTx,
  data: ContinuationOf<'CREATE_GROUP_MEMBER_INVITATION'>,
  event: AgentEventOf<'INV'>,
): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn) return;
  await recordInvitation(tx, conn, event.invitation);
  const group = await findGroup(tx.em, event.userId, data.groupId);
  const member = await findMember(tx, event.userId, data.groupId, data.memberId);
  const contact = await findContact(tx.em, event.userId, data.contactId);
  if (!group || !member || !contact) return;
  const user = await requireUser(tx, event.userId);
  await sendProtocolMessage(tx, event.userId, contact.connId, {
    type: 'x.grp.inv',
    groupProfile: { groupId: group.id, name: group.name },
    invitation: event.invitation,
    fromMemberId: group.selfMemberId,
    fromDisplayName: user.displayName,
    invitedMemberId: member.id,
    invitedDisplayName: member.displayName,
  });
}

/** CONF with x.grp.acpt on the member's group connection → ALLOW with x.ok. */
export async function onMemberAccept(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>, acpt: ProtocolMessageOf<'x.grp.acpt'>): Promise<void> {
  const member = await lockMember(tx, conn.userId, conn.groupId!, conn.memberId!);
  if (!member) return;
  if (acpt.memberId !== member.id) {
    const reason = `x.grp.acpt names member ${acpt.memberId}, expected ${member.id}`;
    await failConnection(tx, conn, reason);
    await setMemberStatus(tx, member, 'failed', reason);
    return;
  }
  await setMemberStatus(tx, member, 'accepted');
  if (acpt.displayName && acpt.displayName !== member.displayName) await setMemberDisplayName(tx, member, acpt.displayName);
  // Kept with the connection: whether it reads batched bodies decides how we send to it.
  await recordPeerInfo(tx, conn, event.connInfo, readsBatches(event.connInfo));
  await tx.ask(
    conn.userId,
    { function: 'ALLOW_MEMBER', groupId: member.groupId, memberId: member.id },
    { type: 'ALLOW', connId: conn.id, confirmationId: event.confirmationId, connInfo: encodeProtocolMessage({ type: 'x.ok', batches: true }) },
  );
}

/**
 * CON with a member we invited: it is connected, and (once per group, under the group lock, so two
 * members connecting at once are introduced to each other exactly once) it is introduced to every
 * connected member: x.grp.mem.new to them, x.grp.mem.intro to it.
 */
export async function onMemberConnected(tx: ChatTx, conn: Connection): Promise<void> {
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  const member = await lockMember(tx, conn.userId, conn.groupId!, conn.memberId!);
  if (!group || !member) return;
  if (!(await setMemberStatus(tx, member, 'connected'))) return;
  const introduced = await introduceToConnectedMembers(tx, group.userId, group.id, member.id);
  const intros: ProtocolMessage[] = introduced.map((other) => ({ type: 'x.grp.mem.intro', memberId: other.id, displayName: other.displayName }));
  // A newcomer that reads batched bodies gets its intros in as few SENDs as fit (one command, relay
  // message and ACK instead of one per member); any other gets one SEND each.
  await tx.askAll(group.userId, readsBatches(conn.peerInfo) ? sendBatchRequests(conn.id, intros) : intros.map((intro) => sendRequest(conn.id, intro)));
  // x.grp.mem.new joins the SEND already waiting on each member's connection, like .fwd (sendToMember):
  // as SENDs of their own, the members connecting at once queued up to n of them on every early
  // member's connection, each behind the previous one's round trip — SEND p99 ~100 s in host + 50, and
  // that member's forwarded invitations behind them.
  for (const other of introduced) {
    await sendToMember(tx, group.userId, other.connId, { type: 'x.grp.mem.new', memberId: member.id, displayName: member.displayName });
  }
  await flushPendingDeliveries(tx, conn);
}

/** x.grp.mem.inv from the newcomer: forward both invitations to the introduced member, once. */
export async function onIntroInvitations(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.inv'>): Promise<void> {
  const key = { userId: conn.userId, groupId: conn.groupId!, newMemberId: conn.memberId!, existingMemberId: msg.memberId };
  if ((await lockIntroduction(tx, key)) !== 'new') return;
  const pair = await membersByIds(tx, key.userId, key.groupId, [key.newMemberId, key.existingMemberId]);
  const newcomer = pair.find((m) => m.id === key.newMemberId);
  const existing = pair.find((m) => m.id === key.existingMemberId);
  // A peer's invitations are forwarded only if acceptable: a refused one is never passed on.
  const refused = [checkInvitation(msg.groupInvitation), checkInvitation(msg.directInvitation)].find((c) => !c.ok);
  if (refused && !refused.ok) {
    log.warn({ reason: refused.reason }, 'x.grp.mem.inv with an unacceptable invitation: not forwarded');
    return;
  }
  // invited: the newcomer's invitations are in; forwarded once they went to the existing member.
  const forward = !!newcomer && !!existing?.connId && existing.status !== 'failed';
  if (forward) {
    await sendToMember(tx, conn.userId, existing.connId!, {
      type: 'x.grp.mem.fwd',
      memberId: newcomer.id,
      displayName: newcomer.displayName,
      groupInvitation: msg.groupInvitation,
      directInvitation: msg.directInvitation,
    });
  }
  await setIntroductionStatus(tx, key, forward ? 'forwarded' : 'invited');
}

/** x.grp.join.err over the contact we invited: that member could not join, for good. */
export async function onMemberJoinRefused(tx: ChatTx, contactConn: Connection, msg: ProtocolMessageOf<'x.grp.join.err'>): Promise<void> {
  const member = await lockMember(tx, contactConn.userId, msg.groupId, msg.memberId);
  // Only the contact the invitation went to may fail that member.
  if (!member || !member.connId || member.invitedViaContactId !== contactConn.contactId) return;
  const reason = `could not join: ${msg.reason}`;
  await setMemberStatus(tx, member, 'failed', reason);
  await failConnectionOf(tx, contactConn.userId, member.connId, reason);
}

/** x.grp.mem.con from either side of an introduction: it is done. */
export async function onIntroConnectedReport(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.con'>): Promise<void> {
  await markPairConnected(tx, conn.userId, conn.groupId!, conn.memberId!, msg.memberId);
}
