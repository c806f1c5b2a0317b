import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../outbox/chat-tx';
import { advanceStage, lockConnection, recordInvitation } from './connection-store';
import { ConnectionStage } from './connection.entity';

/** The continuation of a command that only moves its connection's handshake on (JOINED, ALLOWED). */
export function reachStage(stage: ConnectionStage) {
  return async (tx: ChatTx, _data: unknown, event: { userId: string; connId: string }): Promise<void> => {
    const conn = await lockConnection(tx, event.userId, event.connId);
    if (conn) await advanceStage(tx, conn, stage);
  };
}

/** INV of a connection whose continuation only records where the handshake is. */
export async function keepInvitation(tx: ChatTx, _data: unknown, event: AgentEventOf<'INV'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (conn) await recordInvitation(tx, conn, event.invitation);
}
