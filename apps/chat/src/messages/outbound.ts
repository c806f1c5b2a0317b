import { createHash, randomUUID } from 'node:crypto';
import { ChatTx, CommandRequest } from '../commands/chat-tx';
import { Continuation } from '../commands/continuation';
import { encodeProtocolMessage, ProtocolMessage } from '../protocol/protocol-message';

/** Records a SEND of a protocol message; it goes out after commit, in the connection's order. */
export function sendProtocolMessage(tx: ChatTx, userId: string, connId: string, message: ProtocolMessage): Promise<string> {
  const { continuation, request } = sendRequest(connId, message);
  return tx.record(userId, continuation, request);
}

/** The outbox entry of a SEND of a protocol message, for ChatTx.recordAll (several in one statement). */
export function sendRequest(connId: string, message: ProtocolMessage): { continuation: Continuation; request: CommandRequest } {
  return {
    continuation: { function: 'SEND_MESSAGE', message: message.type },
    request: { type: 'SEND', connId, msgId: randomUUID(), body: encodeProtocolMessage(message) },
  };
}

/** The ACK of a MSG has a corrId derived from the message, so a redelivered MSG records no second ACK. */
export function ackCorrId(userId: string, connId: string, agentMsgId: string): string {
  return `ack-${createHash('sha256').update(`${userId}:${connId}:${agentMsgId}`).digest('hex').slice(0, 48)}`;
}
