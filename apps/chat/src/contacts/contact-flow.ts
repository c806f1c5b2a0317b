import { randomUUID } from 'node:crypto';
import type { AgentEventOf } from '@gc/contracts';
import { keepInvitation, reachStage } from '../connections/connection-continuations';
import { connectionsItem, failConnectionOf, newConnection, openConnection } from '../connections/connection-store';
import { Connection } from '../connections/connection.entity';
import { ChatTx } from '../outbox/chat-tx';
import type { CommandFailure, ContinuationHandler } from '../outbox/continuation-handler';
import { encodeProtocolMessage, parseProtocolMessage } from '../protocol/protocol-message';
import { requireUser } from '../users/user-store';
import { contactItem, insertContact, setContactName } from './contact-store';
import { CHAT_SCHEMA } from '../config/chat-schema';

/**
 * POST /users/:u/invitations: a contact whose link appears once the agent answers INV. One
 * statement writes the connection, the contact and the command if the user exists (so it needs
 * no transaction around it, see UnitOfWork.runOneStatement); null when there is no such user.
 */
export async function createContactInvitation(tx: ChatTx, userId: string): Promise<string | null> {
  const contactId = randomUUID();
  const conn = newConnection({ userId, role: 'inviter', purpose: 'contact', contactId });
  const ask = { continuation: { function: 'CREATE_CONTACT_INVITATION' as const, contactId }, request: { type: 'CREATE' as const, connId: conn.id } };
  const { found } = await tx.askWith<{ found: number }>(userId, [ask], (outbox, p) => {
    const owner = `owner AS (SELECT id FROM ${CHAT_SCHEMA}.users WHERE id = ${p.add(userId, 'uuid')})`;
    return `WITH ${owner}, ${connectionsItem(tx, 'conn', [conn], p, 'owner')}, ${contactItem('contact', { id: contactId, userId, connId: conn.id }, p, 'owner')},
                 ${outbox.item('owner')}
            SELECT (SELECT count(*)::int FROM owner) AS found, ${outbox.written}`;
  });
  return found === 0 ? null : contactId;
}

/** POST /users/:u/contacts: join someone's link, telling them our name (x.contact). */
export async function joinContact(tx: ChatTx, userId: string, invitation: string): Promise<string> {
  const user = await requireUser(tx, userId);
  const contactId = randomUUID();
  const conn = await openConnection(tx, { userId, role: 'joiner', purpose: 'contact', contactId });
  await insertContact(tx, { id: contactId, userId, connId: conn.id });
  const connInfo = encodeProtocolMessage({ type: 'x.contact', displayName: user.displayName });
  await tx.ask(userId, { function: 'JOIN_CONTACT', contactId }, { type: 'JOIN', connId: conn.id, invitation, connInfo });
  return contactId;
}

/** The peer joined our link: learn its name and let it in with ours. */
export async function onContactConfirmation(tx: ChatTx, conn: Connection, event: AgentEventOf<'CONF'>): Promise<void> {
  const info = parseProtocolMessage(event.connInfo);
  if (info?.type === 'x.contact') await setContactName(tx, conn.contactId!, info.displayName);
  const user = await requireUser(tx, conn.userId);
  const connInfo = encodeProtocolMessage({ type: 'x.contact', displayName: user.displayName });
  await tx.ask(
    conn.userId,
    { function: 'ALLOW_CONTACT', contactId: conn.contactId! },
    { type: 'ALLOW', connId: conn.id, confirmationId: event.confirmationId, connInfo },
  );
}

/** The peer's name from its connInfo: x.contact from a contact, x.grp.mem.info from an introduction's direct connection. */
export async function onContactInfo(tx: ChatTx, conn: Connection, connInfo: string): Promise<void> {
  const info = parseProtocolMessage(connInfo);
  if (conn.contactId && (info?.type === 'x.contact' || info?.type === 'x.grp.mem.info')) await setContactName(tx, conn.contactId, info.displayName);
}

/** The API's contact status, from where its connection's handshake is. */
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

/** A permanent ERR of a contact's command: the contact shows failed, with the reason on its connection. */
async function contactFailed(tx: ChatTx, _data: unknown, failure: CommandFailure): Promise<void> {
  await failConnectionOf(tx, failure.userId, failure.connId, failure.reason);
}

/** The continuations of a contact's handshake. */
export const CONTACT_HANDLERS = {
  CREATE_CONTACT_INVITATION: { expects: 'INV', resume: keepInvitation, fail: contactFailed },
  JOIN_CONTACT: { expects: 'JOINED', resume: reachStage('joined'), fail: contactFailed },
  ALLOW_CONTACT: { expects: 'ALLOWED', resume: reachStage('allowed'), fail: contactFailed },
} satisfies {
  CREATE_CONTACT_INVITATION: ContinuationHandler<'CREATE_CONTACT_INVITATION', 'INV'>;
  JOIN_CONTACT: ContinuationHandler<'JOIN_CONTACT', 'JOINED'>;
  ALLOW_CONTACT: ContinuationHandler<'ALLOW_CONTACT', 'ALLOWED'>;
};
