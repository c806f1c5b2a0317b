import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { connectionsItem, lockConnection, newConnection, openConnection, recordInvitation } from '../connections/connection-store';
import { SqlParams } from '@gc/persistence';
import { Connection } from '../connections/connection.entity';
import { contactItem } from '../contacts/contact-store';
import { flushPendingDeliveries } from '../group-messages/group-messaging';
import { hostConnId, insertInvitedGroup, reopenFailedInvitation, invitationAndHostConnection, insertMember, lockGroup, lockMember, memberConnectionsItem, selfInfo, setMemberConnection, setMemberStatus } from '../members/group-store';
import { Group } from '../members/group.entity';
import { hasDeparted, Member } from '../members/member.entity';
import { ChatTx } from '../outbox/chat-tx';
import { ContinuationOf, IntroPart } from '../outbox/continuation';
import { encodeProtocolMessage, ProtocolMessageOf } from '../protocol/protocol-message';
import { checkInvitation } from '../protocol/invitation-policy';
import { sendProtocolMessage } from '../protocol/protocol-sender';
import { sendToMember } from './peer-send';
import { requireUser } from '../users/user-store';

/** x.grp.inv over a contact connection: the group, its host and ourselves, all `invited`. */
export async function receiveGroupInvitation(tx: ChatTx, conn: Connection, inv: ProtocolMessageOf<'x.grp.inv'>): Promise<void> {
  const userId = conn.userId;
  const groupId = inv.groupProfile.groupId;
  // An invitation we cannot accept is refused here, never fetched: the group shows failed with why.
  const check = checkInvitation(inv.invitation);
  const copy = {
    userId,
    id: groupId,
    name: inv.groupProfile.name,
    hostMemberId: inv.fromMemberId,
    selfMemberId: inv.invitedMemberId,
    invitation: check.ok ? inv.invitation : null,
    invitedViaConnId: conn.id,
  };
  if (!(await insertInvitedGroup(tx, copy))) {
    // A new invitation after our join failed for good (the host added us again) is taken, not ignored.
    if (check.ok && (await reopenFailedInvitation(tx, copy))) {
      const self = await requireUser(tx, userId);
      await insertMember(tx, { userId, groupId, id: inv.invitedMemberId, displayName: self.displayName, status: 'invited', isSelf: true });
    }
    return;
  }
  const user = await requireUser(tx, userId);
  const refused = check.ok ? null : `invitation refused: ${check.reason}`;
  const status = refused ? 'failed' : 'invited';
  await insertMember(tx, { userId, groupId, id: inv.fromMemberId, displayName: inv.fromDisplayName, status, isHost: true, failureReason: refused });
  await insertMember(tx, { userId, groupId, id: inv.invitedMemberId, displayName: user.displayName, status, isSelf: true, failureReason: refused });
}

/** APIJoinGroup: JOIN the host's invitation with x.grp.acpt; we are `accepted`. */
export async function joinGroup(tx: ChatTx, group: Group): Promise<boolean> {
  const self = await lockMember(tx, group.userId, group.id, group.selfMemberId);
  const host = await lockMember(tx, group.userId, group.id, group.hostMemberId);
  if (!self || !host || self.status !== 'invited' || !group.invitation) return false;
  const conn = await openConnection(tx, { userId: group.userId, role: 'joiner', purpose: 'member-host', groupId: group.id, memberId: host.id });
  await setMemberConnection(tx, host, conn.id);
  await setMemberStatus(tx, self, 'accepted');
  await setMemberStatus(tx, host, 'accepted');
  await tx.ask(
    group.userId,
    { function: 'JOIN_GROUP', groupId: group.id, hostMemberId: host.id },
    {
      type: 'JOIN',
      connId: conn.id,
      invitation: group.invitation,
      connInfo: encodeProtocolMessage({ type: 'x.grp.acpt', memberId: self.id, displayName: self.displayName, batches: true }),
    },
  );
  return true;
}

/** CON with the host: we are in. */
export async function onHostConnected(tx: ChatTx, conn: Connection): Promise<void> {
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  if (!group) return;
  const host = await lockMember(tx, conn.userId, group.id, group.hostMemberId);
  const self = await lockMember(tx, conn.userId, group.id, group.selfMemberId);
  if (host) await setMemberStatus(tx, host, 'connected');
  if (self) await setMemberStatus(tx, self, 'connected');
  await flushPendingDeliveries(tx, conn);
}

/** JOIN_GROUP refused for good: our membership failed with the connection to the host; the host hears why. */
export async function onJoinGroupFailed(tx: ChatTx, conn: Connection, reason: string): Promise<void> {
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  const self = group && (await lockMember(tx, conn.userId, group.id, group.selfMemberId));
  if (!group || !self) return;
  await setMemberStatus(tx, self, 'failed', reason);
  if (group.invitedViaConnId) {
    await sendProtocolMessage(tx, conn.userId, group.invitedViaConnId, { type: 'x.grp.join.err', groupId: group.id, memberId: self.id, reason });
  }
}

/** x.grp.mem.new from the host: a newcomer we will hear from via x.grp.mem.fwd. */
export async function onMemberAnnounced(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.new'>): Promise<void> {
  await insertMember(tx, { userId: conn.userId, groupId: conn.groupId!, id: msg.memberId, displayName: msg.displayName, status: 'announced' });
}

/** Member info we send as connInfo of an introduction's JOIN/ALLOW (x.grp.mem.fwd, and x.grp.mem.info in CONF). */
async function ownMemberInfo(tx: ChatTx, userId: string, groupId: string): Promise<string> {
  const self = await selfInfo(tx, userId, groupId);
  return encodeProtocolMessage({ type: 'x.grp.mem.info', memberId: self.memberId, displayName: self.displayName });
}

/**
 * Opens an introduction's two connections (group + direct contact) for a member, in one statement:
 * both connections, the contact of the direct one, and the member pointing at them.
 */
async function openIntroConnections(
  tx: ChatTx,
  member: Pick<Member, 'userId' | 'groupId' | 'id' | 'displayName'>,
  role: 'inviter' | 'joiner',
): Promise<Record<IntroPart, Connection>> {
  const base = { userId: member.userId, role, groupId: member.groupId, memberId: member.id };
  const contactId = randomUUID();
  const group = newConnection({ ...base, purpose: 'intro-group' });
  const direct = newConnection({ ...base, purpose: 'intro-direct', contactId });
  const p = new SqlParams();
  const sql = `WITH ${connectionsItem(tx, 'conns', [group, direct], p)},
         ${contactItem('contact', { id: contactId, userId: member.userId, connId: direct.id, displayName: member.displayName }, p)},
         ${memberConnectionsItem('member', member, group.id, direct.id, p)}
    SELECT 1`;
  await tx.em.query(sql, p.values);
  return { group, direct };
}

/** x.grp.mem.intro from the host → two CREATEs (group and direct) for that member. */
export async function onMemberIntroduced(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.intro'>): Promise<void> {
  const groupId = conn.groupId!;
  await insertMember(tx, { userId: conn.userId, groupId, id: msg.memberId, displayName: msg.displayName, status: 'introduced' });
  const member = await lockMember(tx, conn.userId, groupId, msg.memberId);
  if (!member || member.connId || member.isSelf || member.isHost || hasDeparted(member.status)) return;
  const conns = await openIntroConnections(tx, member, 'inviter');
  await tx.askAll(
    conn.userId,
    IntroPart.options.map((part) => ({
      continuation: { function: 'CREATE_INTRO_INVITATIONS', groupId, memberId: member.id, part },
      request: { type: 'CREATE', connId: conns[part].id },
    })),
  );
}

/** INV of an x.grp.mem.intro: whichever of the two INVs arrives second sends x.grp.mem.inv to the host. */
export async function onIntroInvitationCreated(tx: ChatTx, data: ContinuationOf<'CREATE_INTRO_INVITATIONS'>, event: AgentEventOf<'INV'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  // Ended: the member departed (or we did) while the invitation was being made.
  if (!conn || conn.stage === 'failed') return;
  await recordInvitation(tx, conn, event.invitation);
  // The member row serialises the two INV continuations: the second one sees both invitations.
  const member = await lockMember(tx, event.userId, data.groupId, data.memberId);
  if (!member || member.status !== 'introduced' || !member.connId || !member.directConnId) return;
  // This INV's link is in conn; the other connection's link may have come first.
  const otherId = conn.id === member.connId ? member.directConnId : member.connId;
  const { invitation: otherInvitation, hostConnId: hostConn } = await invitationAndHostConnection(tx, event.userId, data.groupId, otherId);
  const invitations = { [conn.id]: conn.invitation, [otherId]: otherInvitation };
  const groupInvitation = invitations[member.connId];
  const directInvitation = invitations[member.directConnId];
  if (!groupInvitation || !directInvitation || !hostConn) return;
  await setMemberStatus(tx, member, 'intro-invited');
  await sendToMember(tx, event.userId, hostConn, { type: 'x.grp.mem.inv', memberId: member.id, groupInvitation, directInvitation });
}

/** x.grp.mem.fwd from the host → JOIN both of the newcomer's invitations with our member info. */
export async function onIntroForwarded(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.fwd'>): Promise<void> {
  const groupId = conn.groupId!;
  // x.grp.mem.new may not have arrived yet (or ever): the forward is enough to know the member.
  await insertMember(tx, { userId: conn.userId, groupId, id: msg.memberId, displayName: msg.displayName, status: 'announced' });
  const member = await lockMember(tx, conn.userId, groupId, msg.memberId);
  if (!member || member.connId || member.isSelf || member.isHost || hasDeparted(member.status)) return;
  // The newcomer's invitations come from a peer: refused (with the reason, on that member) unless acceptable.
  const refused = [checkInvitation(msg.groupInvitation), checkInvitation(msg.directInvitation)].find((c) => !c.ok);
  if (refused && !refused.ok) return void (await setMemberStatus(tx, member, 'failed', `invitation refused: ${refused.reason}`));
  await setMemberStatus(tx, member, 'intro-invited');
  const conns = await openIntroConnections(tx, member, 'joiner');
  const connInfo = await ownMemberInfo(tx, conn.userId, groupId);
  const invitations = { group: msg.groupInvitation, direct: msg.directInvitation };
  await tx.askAll(
    conn.userId,
    IntroPart.options.map((part) => ({
      continuation: { function: 'JOIN_FORWARDED_INTRO', groupId, memberId: member.id, part },
      request: { type: 'JOIN', connId: conns[part].id, invitation: invitations[part], connInfo },
    })),
  );
}

/** CONF with x.grp.mem.info → ALLOW with our own x.grp.mem.info. */
export async function onIntroConfirmation(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>): Promise<void> {
  const part: IntroPart = conn.purpose === 'intro-group' ? 'group' : 'direct';
  const connInfo = await ownMemberInfo(tx, conn.userId, conn.groupId!);
  await tx.ask(
    conn.userId,
    { function: 'ALLOW_INTRO', groupId: conn.groupId!, memberId: conn.memberId!, part },
    { type: 'ALLOW', connId: conn.id, confirmationId: event.confirmationId, connInfo },
  );
}

/** CON of an introduction's group connection: connected, and the host hears x.grp.mem.con. */
export async function onIntroGroupConnected(tx: ChatTx, conn: Connection): Promise<void> {
  const member = await lockMember(tx, conn.userId, conn.groupId!, conn.memberId!);
  if (!member) return;
  await setMemberStatus(tx, member, 'connected');
  const hostConn = await hostConnId(tx, conn.userId, conn.groupId!);
  if (hostConn) await sendToMember(tx, conn.userId, hostConn, { type: 'x.grp.mem.con', memberId: member.id });
  await flushPendingDeliveries(tx, conn);
}
