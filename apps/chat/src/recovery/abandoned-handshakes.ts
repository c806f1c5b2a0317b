import { sqlRows } from '@gc/persistence';
import { CONNECTION_SELECT, connectionFromRow, ConnectionRow } from '../connections/connection-row';
import { Connection } from '../connections/connection.entity';
import { onHandshakeAbandoned } from '../groups/abandoned-handshakes';
import { ChatTx } from '../outbox/chat-tx';
import { CHAT_SCHEMA } from '../config/chat-schema';

/**
 * Claims (fails, in one statement) at most `limit` handshakes whose peer has not answered for
 * `timeoutMs`: a joiner whose JOIN went out (`joined`) or an inviter that let the peer in (`allowed`),
 * with no command of ours pending on it (a pending one is our side still trying, not the peer).
 * SKIP LOCKED: a connection an event is changing right now is looked at next time.
 */
async function failAbandonedHandshakes(tx: ChatTx, timeoutMs: number, limit: number, reason: string): Promise<Connection[]> {
  const rows = await sqlRows<ConnectionRow>(
    tx.em,
    `WITH abandoned AS (
       SELECT c.id FROM ${CHAT_SCHEMA}.connections c
        WHERE c.stage IN ('joined', 'allowed') AND c.updated_at < now() - $1 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM ${CHAT_SCHEMA}.commands k WHERE k.conn_id = c.id AND k.status = 'pending')
        ORDER BY c.updated_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED)
     UPDATE ${CHAT_SCHEMA}.connections c SET stage = 'failed', failure_reason = $3, updated_at = now() FROM abandoned
      WHERE c.id = abandoned.id RETURNING ${CONNECTION_SELECT.split(', ').map((col) => `c.${col}`).join(', ')}`,
    [timeoutMs, limit, reason],
  );
  return rows.map(connectionFromRow);
}

/**
 * Handshakes whose peer never answered (a one-time link someone else used first, a peer that refused
 * our confirmation, a peer gone for good): given up after the timeout with a reason, so no connection
 * waits — and is re-subscribed — for ever; what each was for fails with it (onHandshakeAbandoned).
 * The recovery's own statement over connections and the outbox, like the status-check schedule.
 */
export async function giveUpAbandonedHandshakes(tx: ChatTx, timeoutMs: number, limit: number): Promise<number> {
  const reason = `no answer from the peer for ${Math.round(timeoutMs / 60_000)} min: handshake given up`;
  const conns = await failAbandonedHandshakes(tx, timeoutMs, limit, reason);
  for (const conn of conns) await onHandshakeAbandoned(tx, conn, reason);
  return conns.length;
}
