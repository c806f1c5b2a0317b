import type { AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConnectionEntity } from './connection.entity';
import { CONNECTION_COLUMNS } from './connection-store';
import { InboxState } from './inbox-message.entity';
import { sqlRows } from '@gc/persistence';

/** A relay message by where it was received. */
export interface InboxKey {
  relay: string;
  recipientId: string;
  msgId: string;
}

export interface InboxEntry {
  status: InboxState;
  events: AgentEvent[];
}

/**
 * agent.inbox, always written in the transaction that holds the lock of the message's connection,
 * so the dedupe row and the state change commit together.
 */
@Injectable()
export class InboxStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A transaction under the lock of the connection owning the receive queue (null when none does),
   * with the message's inbox row if it has one: both in the one locking statement.
   */
  lockedForMessage<T>(key: InboxKey, step: (conn: ConnectionEntity | null, entry: InboxEntry | null, em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      const [row] = await sqlRows<ConnectionEntity & { inboxStatus: InboxState | null; inboxEvents: AgentEvent[] | null }>(
        em,
        `SELECT c.*, i.status AS "inboxStatus", i.events AS "inboxEvents"
         FROM (SELECT ${CONNECTION_COLUMNS} FROM "agent"."connections" WHERE rcv_relay = $1 AND rcv_recipient_id = $2 FOR UPDATE) c
         LEFT JOIN "agent"."inbox" i ON i.relay = $1 AND i.recipient_id = $2 AND i.msg_id = $3`,
        [key.relay, key.recipientId, key.msgId],
      );
      if (!row) return step(null, null, em);
      const { inboxStatus, inboxEvents, ...conn } = row;
      return step(conn as ConnectionEntity, inboxStatus ? { status: inboxStatus, events: inboxEvents ?? [] } : null, em);
    });
  }

  /** Records the message (or moves its row on) with its status and events. */
  async record(
    em: EntityManager,
    key: InboxKey,
    row: { userId: string; connId: string; kind: string; status: InboxState; events: AgentEvent[] },
  ): Promise<void> {
    await em.query(
      `INSERT INTO "agent"."inbox" (relay, recipient_id, msg_id, user_id, conn_id, kind, status, events)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (relay, recipient_id, msg_id) DO UPDATE SET status = EXCLUDED.status, events = EXCLUDED.events`,
      [key.relay, key.recipientId, key.msgId, row.userId, row.connId, row.kind, row.status, JSON.stringify(row.events)],
    );
  }

  async complete(em: EntityManager, key: InboxKey, events: AgentEvent[]): Promise<void> {
    await em.query(
      `UPDATE "agent"."inbox" SET status = 'complete', events = $4::jsonb WHERE relay = $1 AND recipient_id = $2 AND msg_id = $3`,
      [key.relay, key.recipientId, key.msgId, JSON.stringify(events)],
    );
  }
}
