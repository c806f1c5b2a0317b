import { breakConnection, lockConnection } from '../connections/connection-store';
import { failMembersInvitedVia, lockMember, memberLost } from '../members/group-store';
import { ChatTx } from '../outbox/chat-tx';
import { ContinuationOf } from '../outbox/continuation';
import type { CommandFailure } from '../outbox/continuation-handler';

/**
 * A SEND refused for good (the peer's queue gone, a relay refusing it): the protocol message will
 * never arrive, and nothing sent on that connection will. So the connection breaks, and what it
 * serves shows it with the reason instead of the message vanishing: the member of a group connection
 * fails (even if it was connected); a group invitation (x.grp.inv) that could not reach its contact
 * fails the member it invited; a contact shows failed.
 */
export async function onSendRefused(tx: ChatTx, data: ContinuationOf<'SEND_MESSAGE'>, failure: CommandFailure): Promise<void> {
  const conn = await lockConnection(tx, failure.userId, failure.connId);
  if (!conn) return;
  const reason = `${data.message} refused: ${failure.reason}`;
  await breakConnection(tx, conn, reason);
  if (conn.groupId && conn.memberId && conn.purpose !== 'intro-direct') {
    const member = await lockMember(tx, conn.userId, conn.groupId, conn.memberId);
    if (member) await memberLost(tx, member, reason);
  } else if (conn.purpose === 'contact' && conn.contactId && data.message === 'x.grp.inv') {
    await failMembersInvitedVia(tx, conn.userId, conn.contactId, reason);
  }
}
