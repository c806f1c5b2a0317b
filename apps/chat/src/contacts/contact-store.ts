import type { DataSource, EntityManager } from 'typeorm';
import type { SqlParams } from '@gc/persistence';
import { ChatTx } from '../outbox/chat-tx';
import { Contact } from './contact.entity';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;
export type NewContact = Pick<Contact, 'id' | 'userId' | 'connId'> & { displayName?: string | null };

/** A new contact as a WITH item `name` of a larger statement; with `guard`, written only if that relation has a row. */
export function contactItem(name: string, c: NewContact, p: SqlParams, guard?: string): string {
  const values = `${p.add(c.id, 'uuid')}, ${p.add(c.userId, 'uuid')}, ${p.add(c.connId, 'text')}, ${p.add(c.displayName ?? null, 'text')}`;
  return `${name} AS (INSERT INTO ${CHAT_SCHEMA}.contacts (id, user_id, conn_id, display_name) SELECT ${values} ${guard ? `WHERE EXISTS (SELECT 1 FROM ${guard})` : ''})`;
}

export async function insertContact(tx: ChatTx, c: NewContact): Promise<void> {
  await tx.em.query(`INSERT INTO ${CHAT_SCHEMA}.contacts (id, user_id, conn_id, display_name) VALUES ($1, $2, $3, $4)`, [c.id, c.userId, c.connId, c.displayName ?? null]);
}

/** The peer's name, learned from its connInfo. */
export async function setContactName(tx: ChatTx, contactId: string, displayName: string): Promise<void> {
  await tx.em.query(`UPDATE ${CHAT_SCHEMA}.contacts SET display_name = $2 WHERE id = $1`, [contactId, displayName]);
}

interface ContactRow {
  id: string;
  user_id: string;
  conn_id: string;
  display_name: string | null;
  created_at: Date;
}
const fromRow = (r: ContactRow): Contact =>
  Object.assign(new Contact(), { id: r.id, userId: r.user_id, connId: r.conn_id, displayName: r.display_name, createdAt: r.created_at } satisfies Contact);
const SELECT = `SELECT id, user_id, conn_id, display_name, created_at FROM ${CHAT_SCHEMA}.contacts`;

export async function findContact(db: Db, userId: string, contactId: string): Promise<Contact | null> {
  const rows: ContactRow[] = await db.query(`${SELECT} WHERE user_id = $1 AND id = $2`, [userId, contactId]);
  return rows.length ? fromRow(rows[0]) : null;
}

/** One user's contacts, oldest first. */
export async function contactsOf(db: Db, userId: string): Promise<Contact[]> {
  const rows: ContactRow[] = await db.query(`${SELECT} WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
  return rows.map(fromRow);
}
