import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConnectionEntity, ConnectionState } from './connection.entity';
import { sqlRows } from '@gc/persistence';

/** The columns of agent.connections under their entity names, for raw SELECT/RETURNING lists. */
export const CONNECTION_COLUMNS = `user_id AS "userId", conn_id AS "connId", role, status, created_by AS "createdBy",
  rcv_relay AS "rcvRelay", rcv_recipient_id AS "rcvRecipientId", rcv_sender_id AS "rcvSenderId", invitation,
  snd_relay AS "sndRelay", snd_sender_id AS "sndSenderId", own_public_key AS "ownPublicKey",
  own_private_key AS "ownPrivateKey", peer_sender_key AS "peerSenderKey", confirmation_id AS "confirmationId",
  peer_conn_info AS "peerConnInfo", allowed_by AS "allowedBy", recipient_private_key AS "recipientPrivateKey",
  dh_private_key AS "dhPrivateKey", e2e_key AS "e2eKey", created_at AS "createdAt", updated_at AS "updatedAt"`;

export type NewConnection = Pick<ConnectionEntity, 'userId' | 'connId' | 'role' | 'createdBy'> &
  Partial<Pick<ConnectionEntity, 'sndRelay' | 'sndSenderId' | 'ownPublicKey' | 'ownPrivateKey' | 'recipientPrivateKey' | 'dhPrivateKey' | 'e2eKey'>>;

/** What a received message may change on its connection, with the column of each. */
const RECEIVED_FIELDS: ReadonlyArray<readonly [keyof ConnectionEntity, string]> = [
  ['status', 'status'],
  ['confirmationId', 'confirmation_id'],
  ['peerSenderKey', 'peer_sender_key'],
  ['peerConnInfo', 'peer_conn_info'],
  ['sndRelay', 'snd_relay'],
  ['sndSenderId', 'snd_sender_id'],
  ['e2eKey', 'e2e_key'],
];

/**
 * agent.connections. A change that only sets fields of one row is one conditional UPDATE: the
 * statement takes the row lock itself and re-checks its WHERE on the latest row version, so a
 * concurrent writer (another run of the command, a received message, another agent) cannot be
 * overwritten. Steps that read, decide in code, then write (received messages) run in a transaction
 * under the row lock (SELECT … FOR UPDATE). Relay IO happens between statements, never inside one.
 */
@Injectable()
export class ConnectionStore {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string, connId: string): Promise<ConnectionEntity | null> {
    const [conn] = await sqlRows<ConnectionEntity>(
      this.dataSource,
      `SELECT ${CONNECTION_COLUMNS} FROM "agent"."connections" WHERE user_id = $1 AND conn_id = $2`,
      [userId, connId],
    );
    return conn ?? null;
  }

  /**
   * The row of a new connection, inserted `pending` unless it exists (a resumed or concurrent run of
   * the same command, or another command's connection: the caller tells them apart by createdBy).
   */
  async insertOrFind(conn: NewConnection): Promise<ConnectionEntity> {
    const [inserted] = await sqlRows<ConnectionEntity>(
      this.dataSource,
      `INSERT INTO "agent"."connections" (user_id, conn_id, role, status, created_by, snd_relay, snd_sender_id, own_public_key, own_private_key,
                                          recipient_private_key, dh_private_key, e2e_key)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (user_id, conn_id) DO NOTHING
       RETURNING ${CONNECTION_COLUMNS}`,
      [
        conn.userId,
        conn.connId,
        conn.role,
        conn.createdBy,
        conn.sndRelay ?? null,
        conn.sndSenderId ?? null,
        conn.ownPublicKey ?? null,
        conn.ownPrivateKey ?? null,
        conn.recipientPrivateKey ?? null,
        conn.dhPrivateKey ?? null,
        conn.e2eKey ?? null,
      ],
    );
    // A conflict waited for the other insert to commit, so this read sees it.
    return inserted ?? (await this.find(conn.userId, conn.connId))!;
  }

  /**
   * Stores our receive queue unless one is stored already (another run of the command got there
   * first: its queue wins). An inviter's invitation names the queue, so it is stored in the same
   * statement (`pending` → `invited`, as storeInvitation would). Returns the row as it is now, or
   * null if the connection is gone.
   */
  async storeReceiveQueue(
    userId: string,
    connId: string,
    queue: { relay: string; recipientId: string; senderId: string },
    invitation: string | null = null,
  ): Promise<ConnectionEntity | null> {
    // SET expressions read the row before the update, as in storeInvitation.
    const [updated] = await sqlRows<ConnectionEntity>(
      this.dataSource,
      `UPDATE "agent"."connections" SET rcv_relay = $3, rcv_recipient_id = $4, rcv_sender_id = $5,
              invitation = coalesce(invitation, $6),
              status = CASE WHEN $6::text IS NOT NULL AND invitation IS NULL AND status = 'pending' THEN 'invited' ELSE status END,
              updated_at = now()
       WHERE user_id = $1 AND conn_id = $2 AND (rcv_relay IS NULL OR rcv_recipient_id IS NULL OR rcv_sender_id IS NULL)
       RETURNING ${CONNECTION_COLUMNS}`,
      [userId, connId, queue.relay, queue.recipientId, queue.senderId, invitation],
    );
    return updated ?? this.find(userId, connId);
  }

  /** Sets the invitation once (`pending` → `invited` with it); returns the stored one, or null if the connection is gone. */
  async storeInvitation(userId: string, connId: string, invitation: string): Promise<string | null> {
    // SET expressions read the row before the update: status moves only with the first invitation.
    const [row] = await sqlRows<{ invitation: string }>(
      this.dataSource,
      `UPDATE "agent"."connections"
       SET invitation = coalesce(invitation, $3),
           status = CASE WHEN invitation IS NULL AND status = 'pending' THEN 'invited' ELSE status END,
           updated_at = CASE WHEN invitation IS NULL THEN now() ELSE updated_at END
       WHERE user_id = $1 AND conn_id = $2
       RETURNING invitation`,
      [userId, connId, invitation],
    );
    return row?.invitation ?? null;
  }

  /** Moves the status forward only from `from`: a step never moves a connection back. */
  async advance(userId: string, connId: string, from: ConnectionState, to: ConnectionState): Promise<void> {
    await sqlRows(
      this.dataSource,
      `UPDATE "agent"."connections" SET status = $4, updated_at = now() WHERE user_id = $1 AND conn_id = $2 AND status = $3`,
      [userId, connId, from, to],
    );
  }

  async markDeleted(userId: string, connId: string): Promise<void> {
    await sqlRows(
      this.dataSource,
      `UPDATE "agent"."connections" SET status = 'deleted', updated_at = now() WHERE user_id = $1 AND conn_id = $2 AND status <> 'deleted'`,
      [userId, connId],
    );
  }

  /**
   * Claims the pending confirmation for an ALLOW with its key pair K2, if nobody has. Null when the
   * row did not qualify (the caller reads it to say why, or finds its own earlier claim).
   */
  async claimConfirmation(
    userId: string,
    connId: string,
    claim: { confirmationId: string; allowedBy: string; ownPublicKey: string; ownPrivateKey: string },
  ): Promise<ConnectionEntity | null> {
    const [row] = await sqlRows<ConnectionEntity>(
      this.dataSource,
      `UPDATE "agent"."connections" SET allowed_by = $4, own_public_key = $5, own_private_key = $6, updated_at = now()
       WHERE user_id = $1 AND conn_id = $2 AND role = 'inviter' AND status <> 'deleted' AND confirmation_id = $3 AND allowed_by IS NULL
       RETURNING ${CONNECTION_COLUMNS}`,
      [userId, connId, claim.confirmationId, claim.allowedBy, claim.ownPublicKey, claim.ownPrivateKey],
    );
    return row ?? null;
  }

  /**
   * Writes the fields a received message changed (see applyEnvelope), inside the transaction that
   * holds the row lock; nothing when it changed none.
   */
  async saveReceivedChanges(em: EntityManager, before: ConnectionEntity, after: ConnectionEntity): Promise<void> {
    const changed = RECEIVED_FIELDS.filter(([field]) => before[field] !== after[field]);
    if (!changed.length) return;
    const sets = changed.map(([, column], i) => `${column} = $${i + 3}`).join(', ');
    await em.query(`UPDATE "agent"."connections" SET ${sets}, updated_at = now() WHERE user_id = $1 AND conn_id = $2`, [
      after.userId,
      after.connId,
      ...changed.map(([field]) => after[field]),
    ]);
  }

  /** Marks a received MSG ACKed by the chat; false when the connection does not exist. */
  async ackMessage(userId: string, connId: string, agentMsgId: string): Promise<boolean> {
    const [row] = await sqlRows<{ found: boolean }>(
      this.dataSource,
      `WITH conn AS (SELECT 1 FROM "agent"."connections" WHERE user_id = $1 AND conn_id = $2),
            acked AS (
              UPDATE "agent"."inbox" SET acked_at = now()
              WHERE user_id = $1 AND conn_id = $2 AND msg_id = $3 AND kind = 'msg' AND acked_at IS NULL AND EXISTS (SELECT 1 FROM conn)
            )
       SELECT EXISTS (SELECT 1 FROM conn) AS found`,
      [userId, connId, agentMsgId],
    );
    return row.found;
  }
}
