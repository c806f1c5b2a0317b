import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { SqlParams } from '@gc/persistence';
import { ChatTx } from '../outbox/chat-tx';
import { advances, stagesAdvancingTo } from './connection-stage';
import { Connection, ConnectionPurpose, ConnectionRole, ConnectionStage } from './connection.entity';
import { CONNECTION_SELECT, connectionFromRow, ConnectionRow } from './connection-row';
import { CHAT_SCHEMA } from '../config/chat-schema';

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

const NEW_CONNECTION_COLUMNS = `id, user_id, role, purpose, stage, contact_id, group_id, member_id`;
const newConnectionParams = (c: Connection) => [c.id, c.userId, c.role, c.purpose, c.stage, c.contactId, c.groupId, c.memberId];
const NEW_CONNECTION_CASTS = ['text', 'uuid', 'text', 'text', 'text', 'uuid', 'uuid', 'uuid'];

export async function openConnection(tx: ChatTx, spec: NewConnection): Promise<Connection> {
  const conn = newConnection(spec);
  await tx.em.query(`INSERT INTO ${CHAT_SCHEMA}.connections (${NEW_CONNECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, newConnectionParams(conn));
  tx.opened(conn.id);
  return conn;
}

/**
 * New connections as a WITH item `name` of a larger statement (see SqlParams); with `guard` (a
 * relation of that statement), written only if it has a row. They count as opened in `tx`.
 */
export function connectionsItem(tx: ChatTx, name: string, conns: Connection[], p: SqlParams, guard?: string): string {
  const values = conns.map((c) => `(${newConnectionParams(c).map((v, i) => p.add(v, NEW_CONNECTION_CASTS[i])).join(', ')})`);
  for (const c of conns) tx.opened(c.id);
  return `${name} AS (INSERT INTO ${CHAT_SCHEMA}.connections (${NEW_CONNECTION_COLUMNS})
    SELECT * FROM (VALUES ${values.join(', ')}) AS v ${guard ? `WHERE EXISTS (SELECT 1 FROM ${guard})` : ''})`;
}

/** Locks the connection row: every event of one connection is handled one at a time. */
export function lockConnection(tx: ChatTx, userId: string, connId: string): Promise<Connection | null> {
  return selectConnection(tx, userId, connId, 'FOR UPDATE');
}

export function findConnection(tx: ChatTx, userId: string, connId: string): Promise<Connection | null> {
  return selectConnection(tx, userId, connId, '');
}

async function selectConnection(tx: ChatTx, userId: string, connId: string, lock: '' | 'FOR UPDATE'): Promise<Connection | null> {
  const rows: ConnectionRow[] = await tx.em.query(`SELECT ${CONNECTION_SELECT} FROM ${CHAT_SCHEMA}.connections WHERE id = $1 AND user_id = $2 ${lock}`, [connId, userId]);
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
    `UPDATE ${CHAT_SCHEMA}.connections SET stage = $2, invitation = COALESCE($3, invitation), failure_reason = COALESCE($4, failure_reason), updated_at = now() WHERE id = $1`,
    [conn.id, to, patch.invitation ?? null, patch.failureReason ?? null],
  );
  return true;
}

/**
 * advanceStage as a WITH item over `claimed` (a relation of conn_id, user_id: a command just claimed),
 * so a continuation that only moves the stage is one statement with its claim. The UPDATE takes the
 * row lock lockConnection would; a connection past the stage (a stale or repeated event) is left as it is.
 */
export function advanceStageAlong(claimed: string, to: ConnectionStage, p: SqlParams): string {
  return `UPDATE ${CHAT_SCHEMA}.connections c SET stage = ${p.add(to, 'text')}, updated_at = now() FROM ${claimed} r
            WHERE c.id = r.conn_id AND c.user_id = r.user_id AND c.stage = ANY(${p.add(stagesAdvancingTo(to), 'text[]')}) RETURNING c.id`;
}

export async function failConnection(tx: ChatTx, conn: Connection, reason: string): Promise<boolean> {
  return advanceStage(tx, conn, 'failed', { failureReason: reason });
}

/** The failure reason of every connection we deleted on purpose starts so (endConnection). */
const DELETED = 'deleted: ';

/**
 * We delete this connection (its peer left the group, was removed, or we did): it ends at any stage,
 * even connected, so that a late CON or MSG on it changes nothing and recovery stops checking it.
 * False when it had been deleted already (for whatever reason: one DELETE is enough).
 */
export async function endConnection(tx: ChatTx, conn: Connection, why: string): Promise<boolean> {
  if (conn.stage === 'failed' && conn.failureReason?.startsWith(DELETED)) return false;
  const reason = DELETED + why;
  conn.stage = 'failed';
  conn.failureReason = reason;
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.connections SET stage = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1`, [conn.id, reason]);
  return true;
}

/** Locks and fails a connection by id; the connection (null if there is none). */
export async function failConnectionOf(tx: ChatTx, userId: string, connId: string, reason: string): Promise<Connection | null> {
  const conn = await lockConnection(tx, userId, connId);
  if (conn) await failConnection(tx, conn, reason);
  return conn;
}

/** The peer's connInfo (INFO), kept once. */
/** `readsBatches`: what the peer's connInfo says (the caller reads the protocol; see peerReadsBatches). */
export async function recordPeerInfo(tx: ChatTx, conn: Connection, connInfo: string, readsBatches = false): Promise<boolean> {
  if (conn.peerInfo !== null) return false;
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.connections SET peer_info = $2, peer_reads_batches = $3, updated_at = now() WHERE id = $1`, [conn.id, connInfo, readsBatches]);
  conn.peerInfo = connInfo;
  return true;
}

/** A relation with a row when the connection's peer reads batched bodies (recordPeerInfo), for a larger statement. */
export function peerReadsBatches(p: SqlParams, connId: string): string {
  return `(SELECT 1 FROM ${CHAT_SCHEMA}.connections WHERE id = ${p.add(connId, 'text')} AND peer_reads_batches)`;
}

/** Locks connections FOR SHARE (their stage cannot change under us) and returns their stages. */
export async function lockConnectionsShared(tx: ChatTx, ids: string[]): Promise<Pick<Connection, 'id' | 'stage'>[]> {
  if (ids.length === 0) return [];
  return tx.em.query(`SELECT id, stage FROM ${CHAT_SCHEMA}.connections WHERE id = ANY($1) FOR SHARE`, [ids]);
}

/** Connections by id, of one user (the API's views). */
export async function connectionsOf(db: DataSource | EntityManager, userId: string, ids: string[]): Promise<Connection[]> {
  if (ids.length === 0) return [];
  const rows: ConnectionRow[] = await db.query(`SELECT ${CONNECTION_SELECT} FROM ${CHAT_SCHEMA}.connections WHERE user_id = $1 AND id = ANY($2)`, [userId, ids]);
  return rows.map(connectionFromRow);
}

/**
 * The connections of a group, of one user or (null) of every user of this chat service that has a
 * copy of it: the host's progress view also shows the steps its members' copies wait on.
 */
export async function connectionsOfGroup(db: DataSource | EntityManager, groupId: string, userId: string | null): Promise<Pick<Connection, 'id' | 'userId' | 'memberId'>[]> {
  const rows: { id: string; user_id: string; member_id: string | null }[] = await db.query(
    `SELECT id, user_id, member_id FROM ${CHAT_SCHEMA}.connections WHERE group_id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)`,
    [groupId, userId],
  );
  return rows.map((r) => ({ id: r.id, userId: r.user_id, memberId: r.member_id }));
}

/** recordInvitation as a WITH item over `claimed` (see advanceStageAlong): the link is kept once, the stage moves to invited only forward. */
export function recordInvitationAlong(claimed: string, invitation: string, p: SqlParams): string {
  const before = p.add(stagesAdvancingTo('invited'), 'text[]');
  return `UPDATE ${CHAT_SCHEMA}.connections c SET stage = CASE WHEN c.stage = ANY(${before}) THEN 'invited' ELSE c.stage END,
              invitation = COALESCE(c.invitation, ${p.add(invitation, 'text')}), updated_at = now() FROM ${claimed} r
            WHERE c.id = r.conn_id AND c.user_id = r.user_id AND (c.stage = ANY(${before}) OR c.invitation IS NULL) RETURNING c.id`;
}

/** INV may be seen after a later stage (reordered or recovered from STATUS): keep the link anyway. */
export async function recordInvitation(tx: ChatTx, conn: Connection, invitation: string): Promise<void> {
  const keep = conn.invitation === null ? { invitation } : {};
  if (await advanceStage(tx, conn, 'invited', keep)) return;
  if (conn.invitation === null) {
    conn.invitation = invitation;
    await tx.em.query(`UPDATE ${CHAT_SCHEMA}.connections SET invitation = $2, updated_at = now() WHERE id = $1`, [conn.id, invitation]);
  }
}
