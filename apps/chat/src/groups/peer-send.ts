import { SqlParams } from '@gc/persistence';
import { peerReadsBatches } from '../connections/connection-store';
import { ChatTx } from '../outbox/chat-tx';
import { ProtocolMessage } from '../protocol/protocol-message';
import { appendToWaitingSend, sendRequest } from '../protocol/protocol-sender';

/**
 * Sends a group-protocol message to a member or the host over a connection that carries many of
 * them (x.grp.mem.new/.fwd from the host, .inv/.con to it: ~2n per member in a group of n). Under the
 * per-connection order each SEND waits for the previous one's whole round trip, so when the peer reads
 * batched bodies the message joins the SEND already waiting there, if any (ChatTx.askAppending);
 * otherwise, or to an older peer, it is a SEND of its own.
 */
export function sendToMember(tx: ChatTx, userId: string, connId: string, message: ProtocolMessage): Promise<string> {
  const p = new SqlParams();
  const allowed = peerReadsBatches(p, connId);
  return tx.askAppending(userId, sendRequest(connId, message), appendToWaitingSend(message, allowed, p), p);
}
