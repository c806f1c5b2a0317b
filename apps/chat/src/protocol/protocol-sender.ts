import { createHash, randomUUID } from 'node:crypto';
import type { SqlParams } from '@gc/persistence';
import { ChatTx, CommandAsk } from '../outbox/chat-tx';
import type { AppendTo } from '../outbox/command-store';
import { nothingMore, type ContinuationHandler } from '../outbox/continuation-handler';
import { encodeProtocolBatch, encodeProtocolMessage, MAX_BATCHED_MESSAGES, ProtocolMessage } from './protocol-message';

/** Asks for a SEND of a protocol message; it goes out after commit, in the connection's order. */
export function sendProtocolMessage(tx: ChatTx, userId: string, connId: string, message: ProtocolMessage): Promise<string> {
  const { continuation, request } = sendRequest(connId, message);
  return tx.ask(userId, continuation, request);
}

/** The ask of a SEND of a protocol message, for ChatTx.askAll (several in one statement). */
export function sendRequest(connId: string, message: ProtocolMessage): CommandAsk {
  return {
    continuation: { function: 'SEND_MESSAGE', message: message.type },
    request: { type: 'SEND', connId, msgId: randomUUID(), body: encodeProtocolMessage(message) },
  };
}

/**
 * The asks of SENDs carrying `messages` to one connection whose peer reads batched bodies: as few
 * SENDs as MAX_BATCHED_MESSAGES allows, in order.
 */
export function sendBatchRequests(connId: string, messages: ProtocolMessage[]): CommandAsk[] {
  const asks: CommandAsk[] = [];
  for (let i = 0; i < messages.length; i += MAX_BATCHED_MESSAGES) {
    const chunk = messages.slice(i, i + MAX_BATCHED_MESSAGES);
    asks.push({
      continuation: { function: 'SEND_MESSAGE', message: chunk[0].type },
      request: { type: 'SEND', connId, msgId: randomUUID(), body: encodeProtocolBatch(chunk) },
    });
  }
  return asks;
}

// A SEND body is at most 64 KiB (contracts); a merged one stays well below, jsonb's spacing included.
const MAX_MERGED_BODY = 60_000;

/**
 * How a protocol message joins the SEND waiting on its connection (ChatTx.askAppending): the waiting
 * body becomes (or stays) an array with the message last, while it holds fewer than
 * MAX_BATCHED_MESSAGES and stays under MAX_MERGED_BODY. `allowed`: a relation with a row when the
 * peer reads batched bodies.
 */
export function appendToWaitingSend(message: ProtocolMessage, allowed: string, p: SqlParams): AppendTo {
  const encoded = encodeProtocolMessage(message);
  const item = `jsonb_build_array(${p.add(encoded, 'jsonb')})`;
  const body = (command: string) => `(${command}->>'body')::jsonb`;
  return {
    allowed,
    merged: (command) =>
      `jsonb_set(${command}, '{body}', to_jsonb((CASE WHEN jsonb_typeof(${body(command)}) = 'array' THEN ${body(command)} || ${item} ELSE jsonb_build_array(${body(command)}) || ${item} END)::text))`,
    fits: (command) =>
      `(length(${command}->>'body') + ${Math.ceil(encoded.length * 1.25) + 4} <= ${MAX_MERGED_BODY} AND (jsonb_typeof(${body(command)}) <> 'array' OR jsonb_array_length(${body(command)}) < ${MAX_BATCHED_MESSAGES}))`,
  };
}

/** The ACK of a MSG has a corrId derived from the message, so a redelivered MSG records no second ACK. */
export function ackCorrId(userId: string, connId: string, agentMsgId: string): string {
  return `ack-${createHash('sha256').update(`${userId}:${connId}:${agentMsgId}`).digest('hex').slice(0, 48)}`;
}

/** A SEND of a protocol message continues with nothing: the message is on its way. */
export const SEND_HANDLERS = {
  SEND_MESSAGE: { expects: 'SENT', resume: nothingMore, fail: nothingMore },
} satisfies { SEND_MESSAGE: ContinuationHandler<'SEND_MESSAGE', 'SENT'> };
