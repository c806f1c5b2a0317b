import type { DataSource, EntityManager } from 'typeorm';
import { ChatTx } from '../outbox/chat-tx';
import { User } from './user.entity';

type Db = DataSource | EntityManager;

export async function findUser(db: Db, userId: string): Promise<User | null> {
  const rows: { id: string; display_name: string; created_at: Date }[] = await db.query(`SELECT id, display_name, created_at FROM users WHERE id = $1`, [userId]);
  return rows.length ? Object.assign(new User(), { id: rows[0].id, displayName: rows[0].display_name, createdAt: rows[0].created_at }) : null;
}

/** A user a flow works for: it exists (the API checked it), so its absence is a bug, not a 404. */
export async function requireUser(tx: ChatTx, userId: string): Promise<User> {
  const user = await findUser(tx.em, userId);
  if (!user) throw new Error(`user ${userId} vanished`);
  return user;
}

export async function insertUser(db: Db, id: string, displayName: string): Promise<void> {
  await db.query(`INSERT INTO users (id, display_name) VALUES ($1, $2)`, [id, displayName]);
}
