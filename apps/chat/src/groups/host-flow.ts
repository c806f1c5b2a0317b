import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { ContinuationOf } from '../commands/continuation';
import { failConnection, lockConnection, openConnection, recordInvitation } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { Contact } from '../contacts/contact.entity';
import { flushPendingDeliveries } from '../messages/group-messaging';
import { sendProtocolMessage } from '../messages/outbound';
import { encodeProtocolMessage, ProtocolMessageOf } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { Group } from './group.entity';
import { findMember, insertMember, lockGroup, lockMember, setMemberStatus } from './group-store';
import { Introduction } from './introduction.entity';
import { Member } from './member.entity';
import { insertIfAbsent } from '../database/insert-if-absent';

/** #756 APIAddMember: record the member and a CREATE; the invitation goes out on INV. */
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
  });
  await tx.record(
    group.userId,
    { function: 'CREATE_GROUP_MEMBER_INVITATION', groupId: group.id, memberId, contactId: contact.id },
    { type: 'CREATE', connId: conn.id },
  );
  return memberId;
}

/** INV of #756: send x.grp.inv to the invitee over our contact connection. */
export async function onMemberInvitationCreated(
  tx: ChatTx,
  data: ContinuationOf<'CREATE_GROUP_MEMBER_INVITATION'>,
  event: AgentEventOf<'INV'>,
): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn) return;
  await recordInvitation(tx, conn, event.invitation);
  const group = await tx.em.findOne(Group, { where: { userId: event.userId, id: data.groupId } });
  const member = await findMember(tx, event.userId, data.groupId, data.memberId);
  const contact = await tx.em.findOne(Contact, { where: { userId: event.userId, id: data.contactId } });
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

/** #1486: CONF with x.grp.acpt on the member's group connection → ALLOW with x.ok. */
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
  if (acpt.displayName && acpt.displayName !== member.displayName) {
    member.displayName = acpt.displayName;
    await tx.em.update(Member, { userId: member.userId, groupId: member.groupId, id: member.id }, { displayName: acpt.displayName });
  }
  await tx.record(
    conn.userId,
    { function: 'ALLOW_MEMBER', groupId: member.groupId, memberId: member.id },
    { type: 'ALLOW', connId: conn.id, confirmationId: event.confirmationId, connInfo: encodeProtocolMessage({ type: 'x.ok' }) },
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
  const others = await tx.em.find(Member, { where: { userId: group.userId, groupId: group.id, isSelf: false, status: 'connected' } });
  for (const other of others) {
    if (other.id === member.id || !other.connId) continue;
    const introduced = await insertIfAbsent(tx.em, Introduction, {
      userId: group.userId,
      groupId: group.id,
      newMemberId: member.id,
      existingMemberId: other.id,
      status: 'new',
    });
    if (!introduced) continue;
    await sendProtocolMessage(tx, group.userId, other.connId, { type: 'x.grp.mem.new', memberId: member.id, displayName: member.displayName });
    await sendProtocolMessage(tx, group.userId, conn.id, { type: 'x.grp.mem.intro', memberId: other.id, displayName: other.displayName });
  }
  await flushPendingDeliveries(tx, conn);
}

/** x.grp.mem.inv from the newcomer: forward both invitations to the introduced member, once. */
export async function onIntroInvitations(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.inv'>): Promise<void> {
  const intro = await tx.em.findOne(Introduction, {
    where: { userId: conn.userId, groupId: conn.groupId!, newMemberId: conn.memberId!, existingMemberId: msg.memberId },
    lock: { mode: 'pessimistic_write' },
  });
  if (!intro || intro.status !== 'new') return;
  const key = { userId: intro.userId, groupId: intro.groupId, newMemberId: intro.newMemberId, existingMemberId: intro.existingMemberId };
  // invited: the newcomer's invitations are in; forwarded once they went to the existing member.
  await tx.em.update(Introduction, key, { status: 'invited' });
  const newcomer = await findMember(tx, conn.userId, conn.groupId!, conn.memberId!);
  const existing = await findMember(tx, conn.userId, conn.groupId!, msg.memberId);
  if (!newcomer || !existing?.connId || existing.status === 'failed') return;
  await sendProtocolMessage(tx, conn.userId, existing.connId, {
    type: 'x.grp.mem.fwd',
    memberId: newcomer.id,
    displayName: newcomer.displayName,
    groupInvitation: msg.groupInvitation,
    directInvitation: msg.directInvitation,
  });
  await tx.em.update(Introduction, key, { status: 'forwarded' });
}

/** x.grp.join.err over the contact we invited: that member could not join, for good. */
export async function onMemberJoinRefused(tx: ChatTx, contactConn: Connection, msg: ProtocolMessageOf<'x.grp.join.err'>): Promise<void> {
  // Only the contact the invitation went to may fail that member.
  const invited: unknown[] = await tx.em.query(
    `SELECT 1 FROM commands WHERE user_id = $1 AND function = 'CREATE_GROUP_MEMBER_INVITATION'
        AND continuation->>'groupId' = $2 AND continuation->>'memberId' = $3 AND continuation->>'contactId' = $4`,
    [contactConn.userId, msg.groupId, msg.memberId, contactConn.contactId],
  );
  if (invited.length === 0) return;
  const member = await lockMember(tx, contactConn.userId, msg.groupId, msg.memberId);
  if (!member || !member.connId) return;
  const reason = `could not join: ${msg.reason}`;
  await setMemberStatus(tx, member, 'failed', reason);
  const conn = await lockConnection(tx, contactConn.userId, member.connId);
  if (conn) await failConnection(tx, conn, reason);
}

/** x.grp.mem.con from either side of an introduction: it is done. */
export async function onIntroConnectedReport(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.con'>): Promise<void> {
  await tx.em.query(
    `UPDATE introductions SET status = 'connected', updated_at = now()
      WHERE user_id = $1 AND group_id = $2 AND status <> 'connected'
        AND ((new_member_id = $3 AND existing_member_id = $4) OR (new_member_id = $4 AND existing_member_id = $3))`,
    [conn.userId, conn.groupId, conn.memberId, msg.memberId],
  );
}
