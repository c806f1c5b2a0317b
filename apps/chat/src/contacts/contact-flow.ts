import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { ChatTx, OUTBOX_COLUMNS, outboxRow } from '../commands/chat-tx';
import { NEW_CONNECTION_COLUMNS, newConnection, newConnectionParams, openConnection } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { encodeProtocolMessage, parseProtocolMessage } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { Contact } from './contact.entity';

async function newContact(tx: ChatTx, userId: string, role: 'inviter' | 'joiner'): Promise<{ contactId: string; conn: Connection }> {
  const contactId = randomUUID();
  const conn = await openConnection(tx, { userId, role, purpose: 'contact', contactId });
  await tx.em.query(`INSERT INTO contacts (id, user_id, conn_id) VALUES ($1, $2, $3)`, [contactId, userId, conn.id]);
  return { contactId, conn };
}

/**
 * POST /users/:u/invitations: a contact whose link appears once the agent answers INV. One
 * statement writes the connection, the contact and the outbox row if the user exists (so it needs
 * no transaction around it, see UnitOfWork.runOneStatement); null when there is no such user.
 */
export async function createContactInvitation(tx: ChatTx, userId: string): Promise<string | null> {
  const contactId = randomUUID();
  const conn = newConnection({ userId, role: 'inviter', purpose: 'contact', contactId });
  const row = outboxRow(userId, { function: 'CREATE_CONTACT_INVITATION', contactId }, { type: 'CREATE', connId: conn.id });
  const [{ found }]: [{ found: number }] = await tx.em.query(
    `WITH owner AS (SELECT id FROM users WHERE id = $2::uuid),
          conn AS (INSERT INTO connections (${NEW_CONNECTION_COLUMNS})
                   SELECT $1::text, id, $3::text, $4::text, $5::text, $6::uuid, $7::uuid, $8::uuid FROM owner),
          contact AS (INSERT INTO contacts (id, user_id, conn_id) SELECT $6::uuid, id, $1::text FROM owner),
          outbox AS (INSERT INTO commands (${OUTBOX_COLUMNS})
                     SELECT $9::text, id, $1::text, $10::text, $11::jsonb, $12::jsonb, 'pending', 1 FROM owner)
     SELECT count(*)::int AS found FROM owner`,
    [...newConnectionParams(conn), row.corrId, row.function, JSON.stringify(row.continuation), JSON.stringify(row.command)],
  );
  if (found === 0) return null;
  tx.opened(conn.id);
  tx.recorded(row.command);
  return contactId;
}

/** POST /users/:u/contacts: join someone's link, telling them our name (x.contact). */
export async function joinContact(tx: ChatTx, userId: string, invitation: string): Promise<string> {
  const user = await requireUser(tx, userId);
  const { contactId, conn } = await newContact(tx, userId, 'joiner');
  const connInfo = encodeProtocolMessage({ type: 'x.contact', displayName: user.displayName });
  await tx.record(userId, { function: 'JOIN_CONTACT', contactId }, { type: 'JOIN', connId: conn.id, invitation, connInfo });
  return contactId;
}

/** The peer joined our link: learn its name and let it in with ours. */
export async function onContactConfirmation(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>): Promise<void> {
  const info = parseProtocolMessage(event.connInfo);
  if (info?.type === 'x.contact') await tx.em.update(Contact, { id: conn.contactId! }, { displayName: info.displayName });
  const user = await requireUser(tx, conn.userId);
  const connInfo = encodeProtocolMessage({ type: 'x.contact', displayName: user.displayName });
  await tx.record(
    conn.userId,
    { function: 'ALLOW_CONTACT', contactId: conn.contactId! },
    { type: 'ALLOW', connId: conn.id, confirmationId: event.confirmationId, connInfo },
  );
}

export async function onContactInfo(tx: ChatTx, conn: Connection, connInfo: string): Promise<void> {
  const info = parseProtocolMessage(connInfo);
  if (info?.type === 'x.contact' || info?.type === 'x.grp.mem.info') {
    await tx.em.query(`UPDATE contacts SET display_name = $2 WHERE id = $1`, [conn.contactId, info.displayName]);
  }
}

/** Design §7 contact status, from where its connection's handshake is. */
export function contactStatus(conn: Connection): 'creating' | 'invited' | 'joining' | 'connected' | 'failed' {
  // The joiner learns the peer's name from INFO, which the agent sends before CON; events are
  // handled concurrently, so until INFO is in, the contact is shown as still joining.
  if (conn.stage === 'connected' && conn.role === 'joiner' && conn.peerInfo === null) return 'joining';
  switch (conn.stage) {
    case 'creating':
      return 'creating';
    case 'invited':
    case 'confirmed':
    case 'allowed':
      return 'invited';
    case 'joining':
    case 'joined':
      return 'joining';
    default:
      return conn.stage;
  }
}
