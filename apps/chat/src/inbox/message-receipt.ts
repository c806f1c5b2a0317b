import { ChatTx } from '../outbox/chat-tx';
import { nothingMore, type ContinuationHandler } from '../outbox/continuation-handler';
import { ackCorrId } from '../protocol/protocol-sender';
import { CHAT_SCHEMA } from '../config/chat-schema';

/**
 * A MSG arrived: remember its agentMsgId (unique row, so a redelivery is not handled twice) and
 * ask for its ACK (corrId derived from the message, so a redelivery writes no second ACK), in one
 * statement. True the first time the message is seen.
 */
export async function receiveMessage(tx: ChatTx, userId: string, connId: string, agentMsgId: string): Promise<boolean> {
  const ack = { continuation: { function: 'ACK_MESSAGE' as const, agentMsgId }, request: { type: 'ACK' as const, connId, agentMsgId }, corrId: ackCorrId(userId, connId, agentMsgId) };
  const { fresh } = await tx.askWith<{ fresh: boolean }>(
    userId,
    [ack],
    (outbox, p) => `WITH fresh AS (INSERT INTO ${CHAT_SCHEMA}.received_messages (user_id, agent_msg_id, conn_id)
                                   VALUES (${p.add(userId, 'uuid')}, ${p.add(agentMsgId, 'text')}, ${p.add(connId, 'text')}) ON CONFLICT DO NOTHING RETURNING 1),
                         ${outbox.item()}
                    SELECT EXISTS (SELECT 1 FROM fresh) AS fresh, ${outbox.written}`,
  );
  return fresh;
}

/** An ACK continues with nothing: the agent's inbox row is marked. */
export const ACK_HANDLERS = {
  ACK_MESSAGE: { expects: 'ACKED', resume: nothingMore, fail: nothingMore },
} satisfies { ACK_MESSAGE: ContinuationHandler<'ACK_MESSAGE', 'ACKED'> };
