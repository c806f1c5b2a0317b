import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { ChatTx } from '../commands/chat-tx';
import { openConnection } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { encodeProtocolMessage, parseProtocolMessage } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { Contact } from './contact.entity';

async function newContact(tx: ChatTx, userId: string, role: 'inviter' | 'joiner'): Promise<{ contact: Contact; conn: Connection }> {
  const contactId = randomUUID();
  const conn = await openConnection(tx, { userId, role, purpose: 'contact', contactId });
  const contact = await tx.em.save(tx.em.create(Contact, { id: contactId, userId, connId: conn.id, displayName: null }));
  return { contact, conn };
}

/** POST /users/:u/invitations: a contact whose link appears once the agent answers INV. */
export async function createContactInvitation(tx: ChatTx, userId: string): Promise<string> {
  const { contact, conn } = await newContact(tx, userId, 'inviter');
  await tx.record(userId, { function: 'CREATE_CONTACT_INVITATION', contactId: contact.id }, { type: 'CREATE', connId: conn.id });
  return contact.id;
}

/** POST /users/:u/contacts: join someone's link, telling them our name (x.contact). */
export async function joinContact(tx: ChatTx, userId: string, invitation: string): Promise<string> {
  const user = await requireUser(tx, userId);
  const { contact, conn } = await newContact(tx, userId, 'joiner');
  const connInfo = encodeProtocolMessage({ type: 'x.contact', displayName: user.displayName });
  await tx.record(userId, { function: 'JOIN_CONTACT', contactId: contact.id }, { type: 'JOIN', connId: conn.id, invitation, connInfo });
  return contact.id;
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
    await tx.em.update(Contact, { id: conn.contactId! }, { displayName: info.displayName });
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
