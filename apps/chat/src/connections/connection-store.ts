import { randomUUID } from 'node:crypto';
import { ChatTx } from '../commands/chat-tx';
import { advances } from './connection-stage';
import { Connection, ConnectionPurpose, ConnectionRole, ConnectionStage } from './connection.entity';
import { CONNECTION_SELECT, connectionFromRow, ConnectionRow } from './connection-row';

export interface NewConnection {
  userId: string;
  role: ConnectionRole;
  purpose: ConnectionPurpose;
  contactId?: string;
  groupId?: string;
  memberId?: string;
}

/** The row of a new connection (not written yet). */
export function newConnection(spec: NewConnection): Connection {
  const now = new Date();
  return Object.assign(new Connection(), {
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
    createdAt: now,
    updatedAt: now,
  } satisfies Connection);
}

/** INSERT columns and parameters of a new connection, for one statement that writes it with more. */
export const NEW_CONNECTION_COLUMNS = `id, user_id, role, purpose, stage, contact_id, group_id, member_id`;
export function newConnectionParams(conn: Connection): unknown[] {
  return [conn.id, conn.userId, conn.role, conn.purpose, conn.stage, conn.contactId, conn.groupId, conn.memberId];
}

/** VALUES rows and parameters of new connections, numbered from $offset+1 on. */
export function newConnectionValues(conns: Connection[], offset = 0): { values: string; params: unknown[] } {
  const width = NEW_CONNECTION_COLUMNS.split(',').length;
  const values = conns.map((_, i) => `(${Array.from({ length: width }, (_, j) => `$${offset + i * width + j + 1}`).join(', ')})`);
  return { values: values.join(', '), params: conns.flatMap(newConnectionParams) };
}

export async function openConnection(tx: ChatTx, spec: NewConnection): Promise<Connection> {
  const conn = newConnection(spec);
  await tx.em.query(`INSERT INTO connections (${NEW_CONNECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, newConnectionParams(conn));
  tx.opened(conn.id);
  return conn;
}

/** Locks the connection row: every event of one connection is handled one at a time. */
export function lockConnection(tx: ChatTx, userId: string, connId: string): Promise<Connection | null> {
  return selectConnection(tx, userId, connId, 'FOR UPDATE');
}

export function findConnection(tx: ChatTx, userId: string, connId: string): Promise<Connection | null> {
  return selectConnection(tx, userId, connId, '');
}

async function selectConnection(tx: ChatTx, userId: string, connId: string, lock: '' | 'FOR UPDATE'): Promise<Connection | null> {
  const rows: ConnectionRow[] = await tx.em.query(`SELECT ${CONNECTION_SELECT} FROM connections WHERE id = $1 AND user_id = $2 ${lock}`, [connId, userId]);
  return rows.length > 0 ? connectionFromRow(rows[0]) : null;
}

/** The columns advanceStage may change besides the stage. */
type StagePatch = Partial<Pick<Connection, 'invitation' | 'failureReason'>>;

/** Moves the stage forward only; returns false for a stale or repeated event. */
export async function advanceStage(tx: ChatTx, conn: Connection, to: ConnectionStage, patch: StagePatch = {}): Promise<boolean> {
  if (!advances(conn.stage, to)) return false;
  conn.stage = to;
  Object.assign(conn, patch);
  // COALESCE keeps a column the patch does not name (both are only ever set, never cleared).
  await tx.em.query(
    `UPDATE connections SET stage = $2, invitation = COALESCE($3, invitation), failure_reason = COALESCE($4, failure_reason), updated_at = now() WHERE id = $1`,
    [conn.id, to, patch.invitation ?? null, patch.failureReason ?? null],
  );
  return true;
}

export async function failConnection(tx: ChatTx, conn: Connection, reason: string): Promise<boolean> {
  return advanceStage(tx, conn, 'failed', { failureReason: reason });
}

/** INV may be seen after a later stage (reordered or recovered from STATUS): keep the link anyway. */
export async function recordInvitation(tx: ChatTx, conn: Connection, invitation: string): Promise<void> {
  const keep = conn.invitation === null ? { invitation } : {};
  if (await advanceStage(tx, conn, 'invited', keep)) return;
  if (conn.invitation === null) {
    conn.invitation = invitation;
    await tx.em.query(`UPDATE connections SET invitation = $2, updated_at = now() WHERE id = $1`, [conn.id, invitation]);
  }
}
