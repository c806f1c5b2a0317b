import type { AgentEvent, AgentEventOf } from '@gc/contracts';
import { failConnection, lockConnection } from '../connections/connection-store';
import { Group } from '../groups/group.entity';
import { lockMember, setMemberStatus } from '../groups/group-store';
import { sendProtocolMessage } from '../messages/outbound';
import { ChatTx } from './chat-tx';
import { Command } from './command.entity';
import { Continuation } from './continuation';
import { CONTINUATION_HANDLERS } from './continuation-handlers';

export type ResumeOutcome = 'resumed' | 'failed' | 'duplicate' | 'unknown';

/** An event that cannot be the completion of the command it names: a contract breach, not a retry. */
export class UnexpectedEvent extends Error {
  override name = 'UnexpectedEvent';
}

export function lockCommand(tx: ChatTx, corrId: string): Promise<Command | null> {
  return tx.em.findOne(Command, { where: { corrId }, lock: { mode: 'pessimistic_write' } });
}

/**
 * Resumes a command exactly once: lock it by corrId; a command no longer pending means a
 * duplicate event; otherwise run its continuation and mark it done, in the caller's transaction.
 */
export async function resumeCommand(tx: ChatTx, corrId: string, event: AgentEvent): Promise<ResumeOutcome> {
  const command = await lockCommand(tx, corrId);
  if (!command) return 'unknown';
  if (command.status !== 'pending') return 'duplicate';
  if (command.userId !== event.userId) throw new UnexpectedEvent(`event of user ${event.userId} for command ${corrId} of another user`);
  const data = Continuation.parse(command.continuation);
  tx.touch(command.connId);
  // Counted in this transaction: a rollback uncounts it, a second committed run shows as 2.
  await tx.em.increment(Command, { id: command.id }, 'executions', 1);
  if (event.type === 'ERR') {
    await failCommand(tx, command, data, `${event.error.code}: ${event.error.message}`);
    return 'failed';
  }
  const handler = CONTINUATION_HANDLERS[data.function];
  if (event.type !== handler.expects) {
    throw new UnexpectedEvent(`${data.function} (${corrId}) expects ${handler.expects}, got ${event.type}`);
  }
  await (handler.resume as (tx: ChatTx, d: Continuation, e: AgentEvent) => Promise<void>)(tx, data, event);
  await tx.em.update(Command, { id: command.id }, { status: 'completed', lastError: null });
  return 'resumed';
}

/** A permanent ERR: the command is failed with the reason, and so is what it was opening. */
async function failCommand(tx: ChatTx, command: Command, data: Continuation, reason: string): Promise<void> {
  await tx.em.update(Command, { id: command.id }, { status: 'failed', lastError: reason });
  if (data.function === 'SEND_MESSAGE' || data.function === 'ACK_MESSAGE') return;
  const conn = await lockConnection(tx, command.userId, command.connId);
  if (!conn) return;
  await failConnection(tx, conn, reason);
  if (!conn.groupId || !conn.memberId || conn.purpose === 'intro-direct') return;
  const member = await lockMember(tx, conn.userId, conn.groupId, conn.memberId);
  if (member) await setMemberStatus(tx, member, 'failed', reason);
  if (conn.purpose === 'member-host') {
    // Our own membership failed with the connection to the host.
    const group = await tx.em.findOne(Group, { where: { userId: conn.userId, id: conn.groupId } });
    const self = group && (await lockMember(tx, conn.userId, conn.groupId, group.selfMemberId));
    if (self) await setMemberStatus(tx, self, 'failed', reason);
    if (group?.invitedViaConnId && self) {
      await sendProtocolMessage(tx, conn.userId, group.invitedViaConnId, { type: 'x.grp.join.err', groupId: group.id, memberId: self.id, reason });
    }
  }
}

export type CompletionEvent = AgentEventOf<'INV' | 'JOINED' | 'ALLOWED' | 'SENT' | 'ACKED' | 'DELETED' | 'ERR'>;
