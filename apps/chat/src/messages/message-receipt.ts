import { ChatTx, OUTBOX_COLUMNS, outboxRow } from '../commands/chat-tx';
import { ackCorrId } from './outbound';

/**
 * A MSG arrived: remember its agentMsgId (unique row, so a redelivery is not handled twice) and
 * record its ACK (corrId derived from the message, so a redelivery records no second ACK), in one
 * statement. True the first time the message is seen.
 */
export async function receiveMessage(tx: ChatTx, userId: string, connId: string, agentMsgId: string): Promise<boolean> {
  const ack = outboxRow(userId, { function: 'ACK_MESSAGE', agentMsgId }, { type: 'ACK', connId, agentMsgId }, ackCorrId(userId, connId, agentMsgId));
  const [{ fresh, acked }]: [{ fresh: boolean; acked: boolean }] = await tx.em.query(
    `WITH fresh AS (INSERT INTO received_messages (user_id, agent_msg_id, conn_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1),
          ack AS (INSERT INTO commands (${OUTBOX_COLUMNS}) VALUES ($4, $1, $3, $5, $6, $7, 'pending', 1) ON CONFLICT (corr_id) DO NOTHING RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM fresh) AS fresh, EXISTS (SELECT 1 FROM ack) AS acked`,
    [userId, agentMsgId, connId, ack.corrId, ack.function, JSON.stringify(ack.continuation), JSON.stringify(ack.command)],
  );
  if (acked) tx.recorded(ack.command);
  return fresh;
}
