import { findConnection } from '../connections/connection-store';
import { failMembersInvitedVia, lockMember, memberLost } from '../members/group-store';
import { ChatTx } from '../outbox/chat-tx';
import { ContinuationOf } from '../outbox/continuation';
import type { CommandFailure } from '../outbox/continuation-handler';

/**
 * A SEND refused for good (the peer's queue gone, a relay refusing it): the protocol message will
 * never arrive, so the peer it was for shows it with the reason instead of the message vanishing — a
 * member we host or were introduced to fails (we stop sending to it); a group invitation (x.grp.inv)
 * that could not reach its contact fails the member it invited. The connection itself is left as it
 * is: the peer may still be talking to us on its own queue (a removal or a leave on its way), and a
 * connection being deleted is the departure's business (its refused commands are withdrawn).
 */
export async function onSendRefused(tx: ChatTx, data: ContinuationOf<'SEND_MESSAGE'>, failure: CommandFailure): Promise<void> {
  const conn = await findConnection(tx, failure.userId, failure.connId);
  if (!conn || conn.stage === 'failed') return;
  const reason = `${data.message} refused: ${failure.reason}`;
  if (conn.groupId && conn.memberId && (conn.purpose === 'host-member' || conn.purpose === 'intro-group')) {
    const member = await lockMember(tx, conn.userId, conn.groupId, conn.memberId);
    if (member) await memberLost(tx, member, reason);
  } else if (conn.purpose === 'contact' && conn.contactId && data.message === 'x.grp.inv') {
    await failMembersInvitedVia(tx, conn.userId, conn.contactId, reason);
  }
}
