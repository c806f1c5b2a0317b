import { randomUUID } from 'node:crypto';
import { ChatTx } from '../commands/chat-tx';
import { advances } from './connection-stage';
import { Connection, ConnectionPurpose, ConnectionRole, ConnectionStage } from './connection.entity';

export interface NewConnection {
  userId: string;
  role: ConnectionRole;
  purpose: ConnectionPurpose;
  contactId?: string;
  groupId?: string;
  memberId?: string;
}

export async function openConnection(tx: ChatTx, spec: NewConnection): Promise<Connection> {
  const conn = tx.em.create(Connection, {
    id: randomUUID(),
    userId: spec.userId,
    role: spec.role,
    purpose: spec.purpose,
    stage: spec.role === 'inviter' ? 'creating' : 'joining',
    contactId: spec.contactId ?? null,
    groupId: spec.groupId ?? null,
    memberId: spec.memberId ?? null,
    invitation: null,
    peerInfo: null,
    failureReason: null,
  });
  return tx.em.save(conn);
}

/** Locks the connection row: every event of one connection is handled one at a time. */
export function lockConnection(tx: ChatTx, userId: string, connId: string): Promise<Connection | null> {
  return tx.em.findOne(Connection, { where: { id: connId, userId }, lock: { mode: 'pessimistic_write' } });
}

/** Moves the stage forward only; returns false for a stale or repeated event. */
export async function advanceStage(tx: ChatTx, conn: Connection, to: ConnectionStage, patch: Partial<Connection> = {}): Promise<boolean> {
  if (!advances(conn.stage, to)) return false;
  conn.stage = to;
  Object.assign(conn, patch);
  await tx.em.update(Connection, { id: conn.id }, { stage: to, ...patch });
  return true;
}

export async function failConnection(tx: ChatTx, conn: Connection, reason: string): Promise<boolean> {
  return advanceStage(tx, conn, 'failed', { failureReason: reason });
}

/** INV may be seen after a later stage (reordered or recovered from STATUS): keep the link anyway. */
export async function recordInvitation(tx: ChatTx, conn: Connection, invitation: string): Promise<void> {
  await advanceStage(tx, conn, 'invited');
  if (conn.invitation === null) {
    conn.invitation = invitation;
    await tx.em.update(Connection, { id: conn.id }, { invitation });
  }
}
