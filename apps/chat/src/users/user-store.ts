import type { DataSource, EntityManager } from 'typeorm';
import { ChatTx } from '../outbox/chat-tx';
import { User } from './user.entity';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;
type UserRow = { id: string; display_name: string; created_at: Date };
const fromRow = (r: UserRow) => Object.assign(new User(), { id: r.id, displayName: r.display_name, createdAt: r.created_at });

export async function findUser(db: Db, userId: string): Promise<User | null> {
  const rows: UserRow[] = await db.query(`SELECT id, display_name, created_at FROM ${CHAT_SCHEMA}.users WHERE id = $1`, [userId]);
  return rows.length ? fromRow(rows[0]) : null;
}

/** The user whose token hashes to `hash` (unique index users_token_hash). */
export async function findUserByTokenHash(db: Db, hash: Buffer): Promise<User | null> {
  const rows: UserRow[] = await db.query(`SELECT id, display_name, created_at FROM ${CHAT_SCHEMA}.users WHERE token_hash = $1`, [hash]);
  return rows.length ? fromRow(rows[0]) : null;
}

/** A user a flow works for: it exists (the API checked it), so its absence is a bug, not a 404. */
export async function requireUser(tx: ChatTx, userId: string): Promise<User> {
  const user = await findUser(tx.em, userId);
  if (!user) throw new Error(`user ${userId} vanished`);
  return user;
}

export async function insertUser(db: Db, id: string, displayName: string, tokenHash: Buffer): Promise<void> {
  await db.query(`INSERT INTO ${CHAT_SCHEMA}.users (id, display_name, token_hash) VALUES ($1, $2, $3)`, [id, displayName, tokenHash]);
}
