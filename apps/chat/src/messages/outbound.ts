import { createHash, randomUUID } from 'node:crypto';
import { ChatTx } from '../commands/chat-tx';
import { encodeProtocolMessage, ProtocolMessage } from '../protocol/protocol-message';

/** Records a SEND of a protocol message; it goes out after commit, in the connection's order. */
export function sendProtocolMessage(tx: ChatTx, userId: string, connId: string, message: ProtocolMessage): Promise<string> {
  return tx.record(
    userId,
    { function: 'SEND_MESSAGE', message: message.type },
    { type: 'SEND', connId, msgId: randomUUID(), body: encodeProtocolMessage(message) },
  );
}

/** The ACK of a MSG has a corrId derived from the message, so a redelivered MSG records no second ACK. */
export function ackCorrId(userId: string, connId: string, agentMsgId: string): string {
  return `ack-${createHash('sha256').update(`${userId}:${connId}:${agentMsgId}`).digest('hex').slice(0, 48)}`;
}
