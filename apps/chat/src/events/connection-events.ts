import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { advanceStage, failConnection, lockConnection } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { onContactConfirmation, onContactInfo } from '../contacts/contact-flow';
import { onIntroConnectedReport, onIntroInvitations, onMemberAccept, onMemberConnected, onMemberJoinRefused } from '../groups/host-flow';
import {
  onHostConnected,
  onIntroConfirmation,
  onIntroForwarded,
  onIntroGroupConnected,
  onMemberAnnounced,
  onMemberIntroduced,
  receiveGroupInvitation,
} from '../groups/member-flow';
import { receiveGroupMessage } from '../messages/group-messaging';
import { receiveMessage } from '../messages/message-receipt';
import { parseProtocolMessage, ProtocolMessage } from '../protocol/protocol-message';

/**
 * Events without corrId, routed by (userId, connId) to what the connection is for. Each locks the
 * connection row and only moves its stage forward, so a repeated or late event changes nothing.
 */
export async function onConfirmation(tx: ChatTx, event: AgentEventOf<'CONF'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || conn.role !== 'inviter') return;
  if (!(await advanceStage(tx, conn, 'confirmed'))) return;
  const info = parseProtocolMessage(event.connInfo);
  switch (conn.purpose) {
    case 'contact':
      return onContactConfirmation(tx, conn, event);
    case 'host-member':
      if (info?.type !== 'x.grp.acpt') return rejectPeer(tx, conn, 'x.grp.acpt', info);
      return onMemberAccept(tx, conn, event, info);
    case 'intro-group':
    case 'intro-direct':
      if (info?.type !== 'x.grp.mem.info' || info.memberId !== conn.memberId) return rejectPeer(tx, conn, 'x.grp.mem.info', info);
      if (conn.purpose === 'intro-direct') await onContactInfo(tx, conn, event.connInfo);
      return onIntroConfirmation(tx, conn, event);
    default:
      return;
  }
}

async function rejectPeer(tx: ChatTx, conn: Connection, expected: string, got: ProtocolMessage | null): Promise<void> {
  await failConnection(tx, conn, `peer confirmed with ${got?.type ?? 'malformed connInfo'}, expected ${expected}`);
}

export async function onInfo(tx: ChatTx, event: AgentEventOf<'INFO'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || conn.peerInfo !== null) return;
  await tx.em.query(`UPDATE connections SET peer_info = $2, updated_at = now() WHERE id = $1`, [conn.id, event.connInfo]);
  conn.peerInfo = event.connInfo;
  if (conn.contactId) await onContactInfo(tx, conn, event.connInfo);
}

export async function onConnected(tx: ChatTx, event: AgentEventOf<'CON'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || !(await advanceStage(tx, conn, 'connected'))) return;
  switch (conn.purpose) {
    case 'host-member':
      return onMemberConnected(tx, conn);
    case 'member-host':
      return onHostConnected(tx, conn);
    case 'intro-group':
      return onIntroGroupConnected(tx, conn);
    default:
      return;
  }
}

/** MSG: handled once per agentMsgId (unique row); its ACK goes out after commit. */
export async function onMessage(tx: ChatTx, event: AgentEventOf<'MSG'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn) return;
  if (await receiveMessage(tx, event.userId, event.connId, event.agentMsgId)) {
    const msg = parseProtocolMessage(event.body);
    if (msg) await dispatchMessage(tx, conn, msg);
  }
}

async function dispatchMessage(tx: ChatTx, conn: Connection, msg: ProtocolMessage): Promise<void> {
  switch (conn.purpose) {
    case 'contact':
      if (msg.type === 'x.grp.inv') return receiveGroupInvitation(tx, conn, msg);
      if (msg.type === 'x.grp.join.err') return onMemberJoinRefused(tx, conn, msg);
      return;
    case 'member-host':
      if (msg.type === 'x.grp.mem.intro') return onMemberIntroduced(tx, conn, msg);
      if (msg.type === 'x.grp.mem.new') return onMemberAnnounced(tx, conn, msg);
      if (msg.type === 'x.grp.mem.fwd') return onIntroForwarded(tx, conn, msg);
      if (msg.type === 'x.msg.new') return receiveGroupMessage(tx, conn, msg);
      return;
    case 'host-member':
      if (msg.type === 'x.grp.mem.inv') return onIntroInvitations(tx, conn, msg);
      if (msg.type === 'x.grp.mem.con') return onIntroConnectedReport(tx, conn, msg);
      if (msg.type === 'x.msg.new') return receiveGroupMessage(tx, conn, msg);
      return;
    case 'intro-group':
      if (msg.type === 'x.msg.new') return receiveGroupMessage(tx, conn, msg);
      return;
    default:
      return;
  }
}
