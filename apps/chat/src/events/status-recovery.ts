import type { AgentEvent, AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { findConnection } from '../connections/connection-store';
import { resumeCommand } from '../commands/command-resumer';
import { Continuation } from '../commands/continuation';
import { expectedEvent } from '../commands/continuation-handlers';
import { Connection } from '../connections/connection.entity';
import { onConfirmation, onConnected, onInfo } from './connection-events';

/**
 * Seed Proposal 1: a STATUS that shows work we have not seen the event of runs the same handler
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
  const pending: { corr_id: string; continuation: unknown }[] = await tx.em.query(
    `SELECT corr_id, continuation FROM commands WHERE conn_id = $1 AND status = 'pending' ORDER BY id`,
    [conn.id],
  );
  for (const command of pending) {
    const fn = Continuation.parse(command.continuation).function;
    const synthetic = completionShownBy(status, conn, expectedEvent(fn), { ...base, corrId: command.corr_id });
    if (synthetic) await resumeCommand(tx, command.corr_id, synthetic);
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
