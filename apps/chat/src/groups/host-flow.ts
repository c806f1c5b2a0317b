import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { ContinuationOf } from '../commands/continuation';
import { failConnection, lockConnection, openConnection, recordInvitation } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { Contact } from '../contacts/contact.entity';
import { flushPendingDeliveries } from '../messages/group-messaging';
import { sendProtocolMessage, sendRequest } from '../messages/outbound';
import { encodeProtocolMessage, ProtocolMessageOf } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { Group } from './group.entity';
import { findMember, insertMember, lockGroup, lockMember, setMemberStatus } from './group-store';
import { Member } from './member.entity';

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
  // One statement: an introduction row for every other connected member not yet introduced to it;
  // the rows it wrote are the introductions to make (a row already there was made before).
  const introduced: { id: string; conn_id: string; display_name: string }[] = await tx.em.query(
    `WITH others AS (
       SELECT id, conn_id, display_name, created_at FROM members
        WHERE user_id = $1 AND group_id = $2 AND NOT is_self AND status = 'connected' AND id <> $3 AND conn_id IS NOT NULL),
     fresh AS (
       INSERT INTO introductions (user_id, group_id, new_member_id, existing_member_id, status)
       SELECT $1, $2, $3, id, 'new' FROM others ON CONFLICT DO NOTHING RETURNING existing_member_id)
     SELECT o.id, o.conn_id, o.display_name FROM others o JOIN fresh f ON f.existing_member_id = o.id ORDER BY o.created_at, o.id`,
    [group.userId, group.id, member.id],
  );
  await tx.recordAll(
    group.userId,
    introduced.flatMap((other) => [
      sendRequest(other.conn_id, { type: 'x.grp.mem.new', memberId: member.id, displayName: member.displayName }),
      sendRequest(conn.id, { type: 'x.grp.mem.intro', memberId: other.id, displayName: other.display_name }),
    ]),
  );
  await flushPendingDeliveries(tx, conn);
}

/** x.grp.mem.inv from the newcomer: forward both invitations to the introduced member, once. */
export async function onIntroInvitations(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.inv'>): Promise<void> {
  const key = [conn.userId, conn.groupId!, conn.memberId!, msg.memberId];
  const intros: { status: string }[] = await tx.em.query(
    `SELECT status FROM introductions WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4 FOR UPDATE`,
    key,
  );
  if (intros[0]?.status !== 'new') return;
  const members: { id: string; display_name: string; status: string; conn_id: string | null }[] = await tx.em.query(
    `SELECT id, display_name, status, conn_id FROM members WHERE user_id = $1 AND group_id = $2 AND id IN ($3, $4)`,
    key,
  );
  const newcomer = members.find((m) => m.id === conn.memberId);
  const existing = members.find((m) => m.id === msg.memberId);
  // invited: the newcomer's invitations are in; forwarded once they went to the existing member.
  const forward = !!newcomer && !!existing?.conn_id && existing.status !== 'failed';
  if (forward) {
    await sendProtocolMessage(tx, conn.userId, existing.conn_id!, {
      type: 'x.grp.mem.fwd',
      memberId: newcomer.id,
      displayName: newcomer.display_name,
      groupInvitation: msg.groupInvitation,
      directInvitation: msg.directInvitation,
    });
  }
  await tx.em.query(
    `UPDATE introductions SET status = $5, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND new_member_id = $3 AND existing_member_id = $4`,
    [...key, forward ? 'forwarded' : 'invited'],
  );
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
