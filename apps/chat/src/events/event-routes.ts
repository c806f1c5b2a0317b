import type { AgentEventOf, AgentEventType } from '@gc/contracts';
import { advanceStage, failConnection, lockConnection, recordPeerInfo } from '../connections/connection-store';
import { Connection, ConnectionPurpose } from '../connections/connection.entity';
import { onContactConfirmation, onContactInfo } from '../contacts/contact-flow';
import { receiveForwardedMessage, receiveGroupMessage } from '../group-messages/group-messaging';
import { onMemberLeft, onMemberRemoved } from '../groups/departure-flow';
import { onIntroFailedReport, onMemberReset } from '../groups/reintroduction-flow';
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
import { receiveMessage } from '../inbox/message-receipt';
import { ChatTx } from '../outbox/chat-tx';
import { parseProtocolMessage, parseProtocolMessages, ProtocolMessage, ProtocolMessageOf, readsBatches } from '../protocol/protocol-message';
import { resumeCommand } from './continuation-handlers';
import { onStatus } from './status-recovery';

/**
 * Where every agent event goes: this file is the whole routing of the chat. Events with a corrId
 * complete a command (the resumer, by the command's function); events without one are routed by the
 * connection they are on, to what that connection is for (`purpose`), and a MSG further by the type
 * of the protocol message it carries. Each locks the connection row and only moves its stage
 * forward, so a repeated or late event changes nothing.
 */

type ProtocolType = ProtocolMessage['type'];
type MessageHandlers = { [M in ProtocolType]?: (tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<M>) => Promise<void> };

/** A CONF on an inviter's connection: the connInfo the peer must have sent, and what lets it in. */
interface ConfirmationRoute {
  expects: ProtocolType;
  accepts(info: ProtocolMessage | null, conn: Connection): boolean;
  handle(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>, info: ProtocolMessage): Promise<void>;
}
const memberInfoOf = (info: ProtocolMessage | null, conn: Connection) => info?.type === 'x.grp.mem.info' && info.memberId === conn.memberId;
const ON_CONFIRMATION: { [P in ConnectionPurpose]?: ConfirmationRoute } = {
  // A contact's name is optional: any connInfo will do.
  contact: { expects: 'x.contact', accepts: () => true, handle: (tx, conn, e) => onContactConfirmation(tx, conn, e) },
  'host-member': {
    expects: 'x.grp.acpt',
    accepts: (info) => info?.type === 'x.grp.acpt',
    handle: (tx, conn, e, info) => onMemberAccept(tx, conn, e, info as ProtocolMessageOf<'x.grp.acpt'>),
  },
  'intro-group': { expects: 'x.grp.mem.info', accepts: memberInfoOf, handle: (tx, conn, e) => onIntroConfirmation(tx, conn, e) },
  'intro-direct': {
    expects: 'x.grp.mem.info',
    accepts: memberInfoOf,
    handle: async (tx, conn, e) => {
      await onContactInfo(tx, conn, e.connInfo);
      await onIntroConfirmation(tx, conn, e);
    },
  },
};

/** A CON: the connection is usable. */
const ON_CONNECTED: { [P in ConnectionPurpose]?: (tx: ChatTx, conn: Connection) => Promise<void> } = {
  'host-member': onMemberConnected,
  'member-host': onHostConnected,
  'intro-group': onIntroGroupConnected,
};

/** A MSG's protocol message, by the connection it came over; anything else from that peer is dropped. */
const ON_MESSAGE: { [P in ConnectionPurpose]?: MessageHandlers } = {
  contact: { 'x.grp.inv': receiveGroupInvitation, 'x.grp.join.err': onMemberJoinRefused },
  'member-host': {
    'x.grp.mem.intro': onMemberIntroduced,
    'x.grp.mem.new': onMemberAnnounced,
    'x.grp.mem.fwd': onIntroForwarded,
    'x.grp.mem.del': onMemberRemoved,
    'x.grp.leave': onMemberLeft,
    'x.grp.msg.fwd': receiveForwardedMessage,
    'x.grp.mem.reset': onMemberReset,
    'x.msg.new': receiveGroupMessage,
  },
  'host-member': {
    'x.grp.mem.inv': onIntroInvitations,
    'x.grp.mem.con': onIntroConnectedReport,
    'x.grp.leave': onMemberLeft,
    'x.grp.mem.fail': onIntroFailedReport,
    'x.msg.new': receiveGroupMessage,
  },
  'intro-group': { 'x.grp.leave': onMemberLeft, 'x.msg.new': receiveGroupMessage },
};

export async function onConfirmation(tx: ChatTx, event: AgentEventOf<'CONF'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || conn.role !== 'inviter') return;
  if (!(await advanceStage(tx, conn, 'confirmed'))) return;
  const route = ON_CONFIRMATION[conn.purpose];
  if (!route) return;
  const info = parseProtocolMessage(event.connInfo);
  if (!route.accepts(info, conn)) {
    await failConnection(tx, conn, `peer confirmed with ${info?.type ?? 'malformed connInfo'}, expected ${route.expects}`);
    return;
  }
  await route.handle(tx, conn, event, info!);
}

export async function onInfo(tx: ChatTx, event: AgentEventOf<'INFO'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || !(await recordPeerInfo(tx, conn, event.connInfo, readsBatches(event.connInfo)))) return;
  if (conn.contactId) await onContactInfo(tx, conn, event.connInfo);
}

export async function onConnected(tx: ChatTx, event: AgentEventOf<'CON'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || !(await advanceStage(tx, conn, 'connected'))) return;
  await ON_CONNECTED[conn.purpose]?.(tx, conn);
}

/**
 * MSG: handled once per agentMsgId (unique row); its ACK goes out after commit. On a group
 * connection that ended (we deleted it: a removal or a departure) it is only ACKed: nothing from a
 * departed member, or to a group we departed, is taken.
 */
async function onMessage(tx: ChatTx, event: AgentEventOf<'MSG'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (!conn || !(await receiveMessage(tx, event.userId, event.connId, event.agentMsgId))) return;
  if (conn.groupId && conn.stage === 'failed') return;
  // One message, or a batch (x.grp.acpt's `batches`): each routed in order, in this transaction.
  for (const msg of parseProtocolMessages(event.body)) {
    const handle = ON_MESSAGE[conn.purpose]?.[msg.type] as ((tx: ChatTx, conn: Connection, msg: ProtocolMessage) => Promise<void>) | undefined;
    if (handle) await handle(tx, conn, msg);
  }
}

const completes = (tx: ChatTx, event: AgentEventOf<'INV' | 'JOINED' | 'ALLOWED' | 'SENT' | 'ACKED' | 'DELETED' | 'ERR'>) => resumeCommand(tx, event.corrId, event);
const then = (outcome: string) => () => outcome;

/** Every event type, and what applying it returns (the job's result, which metrics read). */
export const EVENT_ROUTES: { [T in AgentEventType]: (tx: ChatTx, event: AgentEventOf<T>) => Promise<string> } = {
  INV: completes,
  JOINED: completes,
  ALLOWED: completes,
  SENT: completes,
  ACKED: completes,
  DELETED: completes,
  ERR: completes,
  STATUS: (tx, e) => onStatus(tx, e).then(then('status')),
  CONF: (tx, e) => onConfirmation(tx, e).then(then('conf')),
  INFO: (tx, e) => onInfo(tx, e).then(then('info')),
  CON: (tx, e) => onConnected(tx, e).then(then('con')),
  MSG: (tx, e) => onMessage(tx, e).then(then('msg')),
  END: async () => 'ignored',
};
