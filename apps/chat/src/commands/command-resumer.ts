import { sqlRows } from '@gc/persistence';
import type { AgentCommandType, AgentEvent, AgentEventOf } from '@gc/contracts';
import { failConnection, lockConnection } from '../connections/connection-store';
import { Group } from '../groups/group.entity';
import { lockMember, setMemberStatus } from '../groups/group-store';
import { sendProtocolMessage } from '../messages/outbound';
import { ChatTx } from './chat-tx';
import { Continuation } from './continuation';
import { CLAIM_ONLY_FUNCTION, CONTINUATION_HANDLERS } from './continuation-handlers';
import { isUnordered } from './command-order';

export type ResumeOutcome = 'resumed' | 'failed' | 'duplicate' | 'unknown';

/** An event that cannot be the completion of the command it names: a contract breach, not a retry. */
export class UnexpectedEvent extends Error {
  override name = 'UnexpectedEvent';
}

/** The command row as resumeCommand needs it. */
interface ClaimedCommand {
  id: string;
  userId: string;
  connId: string;
  continuation: unknown;
}

/**
 * Locks a pending command by corrId and marks it done in one statement (an UPDATE takes the row
 * lock FOR UPDATE would). It is the caller's transaction: if the continuation throws, the rollback
 * puts the row back to pending and uncounts the execution. A concurrent resume of the same corrId
 * waits for the lock, then sees the row no longer pending.
 */
async function claimCommand(tx: ChatTx, corrId: string, status: 'completed' | 'failed', lastError: string | null): Promise<ClaimedCommand | null> {
  const [row] = await sqlRows<{ id: string; user_id: string; conn_id: string; continuation: unknown }>(
    tx.em,
    `UPDATE commands SET status = $2, last_error = $3, executions = executions + 1, updated_at = now()
      WHERE corr_id = $1 AND status = 'pending' RETURNING id, user_id, conn_id, continuation`,
    [corrId, status, lastError],
  );
  return row ? { id: row.id, userId: row.user_id, connId: row.conn_id, continuation: row.continuation } : null;
}

/**
 * Resumes a command exactly once: claim it by corrId (lock, mark done, count the execution); a
 * command no longer pending means a duplicate event; otherwise run its continuation, all in the
 * caller's transaction.
 */
export async function resumeCommand(tx: ChatTx, corrId: string, event: AgentEvent): Promise<ResumeOutcome> {
  const reason = event.type === 'ERR' ? `${event.error.code}: ${event.error.message}` : null;
  const command = await claimCommand(tx, corrId, reason === null ? 'completed' : 'failed', reason);
  if (!command) return (await commandExists(tx, corrId)) ? 'duplicate' : 'unknown';
  if (command.userId !== event.userId) throw new UnexpectedEvent(`event of user ${event.userId} for command ${corrId} of another user`);
  const data = Continuation.parse(command.continuation);
  tx.touch(command.connId);
  if (event.type === 'ERR') {
    await failCommand(tx, command, data, reason!);
    return 'failed';
  }
  const handler = CONTINUATION_HANDLERS[data.function];
  if (event.type !== handler.expects) {
    throw new UnexpectedEvent(`${data.function} (${corrId}) expects ${handler.expects}, got ${event.type}`);
  }
  await (handler.resume as (tx: ChatTx, d: Continuation, e: AgentEvent) => Promise<void>)(tx, data, event);
  return 'resumed';
}

/**
 * SENT/ACKED of a pending command of this user and of the function that expects it: the claim is
 * the whole continuation, so it is one statement that needs no BEGIN/COMMIT (UnitOfWork.
 * runOneStatement). False when it claimed nothing: resumeCommand then tells a duplicate, an
 * unknown or an unexpected event apart, in a transaction as usual.
 */
export async function claimOnlyCompletion(tx: ChatTx, event: AgentEvent): Promise<boolean> {
  const fn = CLAIM_ONLY_FUNCTION[event.type];
  if (!fn || !('corrId' in event)) return false;
  const rows = await sqlRows<{ conn_id: string; type: AgentCommandType }>(
    tx.em,
    `UPDATE commands SET status = 'completed', last_error = NULL, executions = executions + 1, updated_at = now()
      WHERE corr_id = $1 AND status = 'pending' AND function = $2 AND user_id = $3 RETURNING conn_id, command->>'type' AS type`,
    [event.corrId, fn, event.userId],
  );
  if (rows.length === 0) return false;
  // An ACK is outside the per-connection order: its completion frees no head to publish.
  if (!isUnordered({ type: rows[0].type })) tx.touch(rows[0].conn_id);
  return true;
}

async function commandExists(tx: ChatTx, corrId: string): Promise<boolean> {
  const rows: unknown[] = await tx.em.query(`SELECT 1 FROM commands WHERE corr_id = $1`, [corrId]);
  return rows.length > 0;
}

/** A permanent ERR: the command is failed with the reason, and so is what it was opening. */
async function failCommand(tx: ChatTx, command: ClaimedCommand, data: Continuation, reason: string): Promise<void> {
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
