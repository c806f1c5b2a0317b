import type { AgentEvent, AgentEventOf } from '@gc/contracts';
import { findConnection } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { ChatTx } from '../outbox/chat-tx';
import { pendingCommandsOn } from '../outbox/command-store';
import { resumer } from './continuation-handlers';
import { onConfirmation, onConnected, onInfo } from './event-routes';

/**
 * Recovery by subscription: a STATUS that shows work we have not seen the event of runs the same handler
 * as that event would have (INV, JOINED, ALLOWED, CONF, INFO, CON).
 */
export async function onStatus(tx: ChatTx, status: AgentEventOf<'STATUS'>): Promise<void> {
  const conn = await findConnection(tx, status.userId, status.connId);
  if (!conn) return;
  const base = { eventId: status.eventId, userId: status.userId, connId: status.connId };
  const s = status.status;
  if (conn.role === 'inviter' && status.confirmation && (s === 'confirmed' || s === 'allowed' || s === 'connected')) {
    await onConfirmation(tx, { type: 'CONF', ...base, ...status.confirmation });
  }
  for (const command of await pendingCommandsOn(tx.em, conn.id)) {
    const expects = resumer.expectedEvent(command.continuation.function);
    const synthetic = completionShownBy(status, conn, expects, { ...base, corrId: command.corrId });
    if (synthetic) await resumer.resume(tx, command.corrId, synthetic);
  }
  if (s === 'connected') {
    if (conn.role === 'joiner' && status.peerConnInfo !== undefined) {
      await onInfo(tx, { type: 'INFO', ...base, connInfo: status.peerConnInfo });
    }
    await onConnected(tx, { type: 'CON', ...base });
  }
}

function completionShownBy(
  status: AgentEventOf<'STATUS'>,
  conn: Connection,
  expects: string,
  ids: { eventId: string; userId: string; connId: string; corrId: string },
): AgentEvent | null {
  const s = status.status;
  if (expects === 'INV' && status.invitation && ['invited', 'confirmed', 'allowed', 'connected'].includes(s)) {
    return { type: 'INV', ...ids, invitation: status.invitation };
  }
  if (expects === 'JOINED' && conn.role === 'joiner' && (s === 'joined' || s === 'connected')) return { type: 'JOINED', ...ids };
  if (expects === 'ALLOWED' && conn.role === 'inviter' && (s === 'allowed' || s === 'connected')) return { type: 'ALLOWED', ...ids };
  return null;
}
