import { AgentEvent } from '@gc/contracts';
import { ConnectionEntity } from '../persistence/connection.entity';
import { inboundEventId } from '../protocol/derived-ids';
import { Envelope } from '../protocol/envelope';

export interface EnvelopeEffect {
  events: AgentEvent[];
  /** The joiner's `info`: IO (secure + hello) must follow before the message is complete. */
  handshake?: boolean;
  /** Why a message had no effect (not ours, wrong state): it is still recorded and acked. */
  dropped?: string;
}

/**
 * The state change a received envelope makes to its connection (mutates `conn`, pure otherwise),
 * and the events it causes, with ids derived from the relay message so a redelivery repeats them.
 */
export function applyEnvelope(
  conn: ConnectionEntity,
  envelope: Envelope | null,
  from: { relay: string; recipientId: string; msgId: string },
): EnvelopeEffect {
  const id = (type: string) => inboundEventId(from.relay, from.recipientId, from.msgId, type);
  const base = { userId: conn.userId, connId: conn.connId };
  if (!envelope) return { events: [], dropped: 'not an agent envelope' };
  if (conn.status === 'deleted') return { events: [], dropped: 'connection deleted' };
  switch (envelope.t) {
    case 'conf':
      if (conn.role !== 'inviter' || conn.status !== 'invited') return { events: [], dropped: `conf in ${conn.role}/${conn.status}` };
      conn.status = 'confirmed';
      conn.confirmationId = from.msgId;
      conn.peerSenderKey = envelope.senderKey;
      conn.peerConnInfo = envelope.connInfo;
      conn.sndRelay = envelope.reply.relay;
      conn.sndSenderId = envelope.reply.senderId;
      return { events: [{ type: 'CONF', eventId: id('CONF'), ...base, confirmationId: from.msgId, connInfo: envelope.connInfo }] };
    case 'info':
      if (conn.role !== 'joiner' || (conn.status !== 'pending' && conn.status !== 'joined')) {
        return { events: [], dropped: `info in ${conn.role}/${conn.status}` };
      }
      conn.peerSenderKey = envelope.senderKey;
      conn.peerConnInfo = envelope.connInfo;
      return { events: [], handshake: true };
    case 'hello':
      if (conn.role !== 'inviter' || (conn.status !== 'confirmed' && conn.status !== 'allowed')) {
        return { events: [], dropped: `hello in ${conn.role}/${conn.status}` };
      }
      conn.status = 'connected';
      return { events: [{ type: 'CON', eventId: id('CON'), ...base }] };
    case 'msg':
      if (conn.status !== 'connected') return { events: [], dropped: `msg in ${conn.status}` };
      return { events: [{ type: 'MSG', eventId: id('MSG'), ...base, agentMsgId: from.msgId, body: envelope.body }] };
  }
}
