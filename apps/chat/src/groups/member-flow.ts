import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { ContinuationOf, IntroPart } from '../commands/continuation';
import { lockConnection, newConnection, newConnectionValues, NEW_CONNECTION_COLUMNS, openConnection, recordInvitation } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { flushPendingDeliveries } from '../messages/group-messaging';
import { sendProtocolMessage } from '../messages/outbound';
import { encodeProtocolMessage, ProtocolMessageOf } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { Group } from './group.entity';
import { hostConnId, insertMember, lockGroup, lockMember, selfInfo, setMemberStatus } from './group-store';
import { Member } from './member.entity';
import { insertIfAbsent } from '../database/insert-if-absent';

/** x.grp.inv over a contact connection: the group, its host and ourselves, all `invited`. */
export async function receiveGroupInvitation(tx: ChatTx, conn: Connection, inv: ProtocolMessageOf<'x.grp.inv'>): Promise<void> {
  const userId = conn.userId;
  const inserted = await insertIfAbsent(tx.em, Group, {
    userId,
    id: inv.groupProfile.groupId,
    name: inv.groupProfile.name,
    hostMemberId: inv.fromMemberId,
    selfMemberId: inv.invitedMemberId,
    invitation: inv.invitation,
    invitedViaConnId: conn.id,
  });
  if (!inserted) return;
  const user = await requireUser(tx, userId);
  const groupId = inv.groupProfile.groupId;
  await insertMember(tx, { userId, groupId, id: inv.fromMemberId, displayName: inv.fromDisplayName, status: 'invited', isHost: true });
  await insertMember(tx, { userId, groupId, id: inv.invitedMemberId, displayName: user.displayName, status: 'invited', isSelf: true });
}

/** #779 APIJoinGroup: JOIN the host's invitation with x.grp.acpt; we are `accepted`. */
export async function joinGroup(tx: ChatTx, group: Group): Promise<boolean> {
  const self = await lockMember(tx, group.userId, group.id, group.selfMemberId);
  const host = await lockMember(tx, group.userId, group.id, group.hostMemberId);
  if (!self || !host || self.status !== 'invited' || !group.invitation) return false;
  const conn = await openConnection(tx, { userId: group.userId, role: 'joiner', purpose: 'member-host', groupId: group.id, memberId: host.id });
  await tx.em.update(Member, { userId: group.userId, groupId: group.id, id: host.id }, { connId: conn.id });
  await setMemberStatus(tx, self, 'accepted');
  await setMemberStatus(tx, host, 'accepted');
  await tx.record(
    group.userId,
    { function: 'JOIN_GROUP', groupId: group.id, hostMemberId: host.id },
    {
      type: 'JOIN',
      connId: conn.id,
      invitation: group.invitation,
      connInfo: encodeProtocolMessage({ type: 'x.grp.acpt', memberId: self.id, displayName: self.displayName }),
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

/** x.grp.mem.new from the host: a newcomer we will hear from via x.grp.mem.fwd. */
export async function onMemberAnnounced(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.new'>): Promise<void> {
  await insertMember(tx, { userId: conn.userId, groupId: conn.groupId!, id: msg.memberId, displayName: msg.displayName, status: 'announced' });
}

/** Member info we send as connInfo of an introduction's JOIN/ALLOW (#2147, #1495, #1419). */
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
): Promise<{ group: Connection; direct: Connection }> {
  const base = { userId: member.userId, role, groupId: member.groupId, memberId: member.id };
  const contactId = randomUUID();
  const group = newConnection({ ...base, purpose: 'intro-group' });
  const direct = newConnection({ ...base, purpose: 'intro-direct', contactId });
  const conns = newConnectionValues([group, direct], 7);
  await tx.em.query(
    `WITH conns AS (INSERT INTO connections (${NEW_CONNECTION_COLUMNS}) VALUES ${conns.values}),
          contact AS (INSERT INTO contacts (id, user_id, conn_id, display_name) VALUES ($5, $1, $4, $6))
     UPDATE members SET conn_id = $3, direct_conn_id = $4, updated_at = now() WHERE user_id = $1 AND group_id = $2 AND id = $7`,
    [member.userId, member.groupId, group.id, direct.id, contactId, member.displayName, member.id, ...conns.params],
  );
  tx.opened(group.id);
  tx.opened(direct.id);
  return { group, direct };
}

/** #2112: x.grp.mem.intro from the host → two CREATEs (group and direct) for that member. */
export async function onMemberIntroduced(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.intro'>): Promise<void> {
  const groupId = conn.groupId!;
  await insertMember(tx, { userId: conn.userId, groupId, id: msg.memberId, displayName: msg.displayName, status: 'introduced' });
  const member = await lockMember(tx, conn.userId, groupId, msg.memberId);
  if (!member || member.connId || member.isSelf || member.isHost) return;
  const conns = await openIntroConnections(tx, member, 'inviter');
  await tx.recordAll(
    conn.userId,
    IntroPart.options.map((part) => ({
      continuation: { function: 'CREATE_INTRO_INVITATIONS', groupId, memberId: member.id, part },
      request: { type: 'CREATE', connId: conns[part].id },
    })),
  );
}

/** INV of #2112: whichever of the two INVs arrives second sends x.grp.mem.inv to the host. */
export async function onIntroInvitationCreated(
  tx: ChatTx,
  data: ContinuationOf<'CREATE_INTRO_INVITATIONS'>,
  event: AgentEventOf<'INV'>,
): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn) return;
  await recordInvitation(tx, conn, event.invitation);
  // The member row serialises the two INV continuations: the second one sees both invitations.
  const member = await lockMember(tx, event.userId, data.groupId, data.memberId);
  if (!member || member.status !== 'introduced' || !member.connId || !member.directConnId) return;
  // This INV's link is in conn; the other connection's link may have come first.
  const otherId = conn.id === member.connId ? member.directConnId : member.connId;
  const [other]: { invitation: string | null; host_conn_id: string | null }[] = await tx.em.query(
    `SELECT c.invitation, h.conn_id AS host_conn_id FROM connections c
       JOIN groups g ON g.user_id = $2 AND g.id = $3
       LEFT JOIN members h ON h.user_id = g.user_id AND h.group_id = g.id AND h.id = g.host_member_id
      WHERE c.id = $1`,
    [otherId, event.userId, data.groupId],
  );
  const invitations = { [conn.id]: conn.invitation, [otherId]: other?.invitation ?? null };
  const groupInvitation = invitations[member.connId];
  const directInvitation = invitations[member.directConnId];
  if (!groupInvitation || !directInvitation || !other.host_conn_id) return;
  await setMemberStatus(tx, member, 'intro-invited');
  await sendProtocolMessage(tx, event.userId, other.host_conn_id, {
    type: 'x.grp.mem.inv',
    memberId: member.id,
    groupInvitation,
    directInvitation,
  });
}

/** #2147: x.grp.mem.fwd from the host → JOIN both of the newcomer's invitations with our member info. */
export async function onIntroForwarded(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.fwd'>): Promise<void> {
  const groupId = conn.groupId!;
  // x.grp.mem.new may not have arrived yet (or ever): the forward is enough to know the member.
  await insertMember(tx, { userId: conn.userId, groupId, id: msg.memberId, displayName: msg.displayName, status: 'announced' });
  const member = await lockMember(tx, conn.userId, groupId, msg.memberId);
  if (!member || member.connId || member.isSelf || member.isHost) return;
  await setMemberStatus(tx, member, 'intro-invited');
  const conns = await openIntroConnections(tx, member, 'joiner');
  const connInfo = await ownMemberInfo(tx, conn.userId, groupId);
  const invitations = { group: msg.groupInvitation, direct: msg.directInvitation };
  await tx.recordAll(
    conn.userId,
    IntroPart.options.map((part) => ({
      continuation: { function: 'JOIN_FORWARDED_INTRO', groupId, memberId: member.id, part },
      request: { type: 'JOIN', connId: conns[part].id, invitation: invitations[part], connInfo },
    })),
  );
}

/** #1495 (group) / #1419 (direct): CONF with x.grp.mem.info → ALLOW with our own x.grp.mem.info. */
export async function onIntroConfirmation(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>): Promise<void> {
  const part: IntroPart = conn.purpose === 'intro-group' ? 'group' : 'direct';
  const connInfo = await ownMemberInfo(tx, conn.userId, conn.groupId!);
  await tx.record(
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
  if (hostConn) await sendProtocolMessage(tx, conn.userId, hostConn, { type: 'x.grp.mem.con', memberId: member.id });
  await flushPendingDeliveries(tx, conn);
}
