import type { AgentEvent, AgentEventType } from '@gc/contracts';
import { ChatTx } from '../outbox/chat-tx';
import { isUnordered } from '../outbox/command-order';
import { ClaimItem, claimCommand, commandExists, withdrawFailedOnDeleted } from '../outbox/command-store';
import { Continuation, ContinuationFunction } from '../outbox/continuation';
import { nothingMore, type AlongClaim, type CompletionType, type ContinuationHandler, type ContinuationHandlers } from '../outbox/continuation-handler';

export type ResumeOutcome = 'resumed' | 'failed' | 'duplicate' | 'unknown';

/** An event that cannot be the completion of the command it names: a contract breach, not a retry. */
export class UnexpectedEvent extends Error {
  override name = 'UnexpectedEvent';
}

/** Resumes commands by the handlers it is given; it knows nothing of what the commands were for. */
export interface CommandResumer {
  /**
   * Resumes a command exactly once: claim it by corrId (lock, mark done, count the execution); a
   * command no longer pending means a duplicate event; otherwise run its handler's `resume` (or, for
   * a permanent ERR, `fail`), all in the caller's transaction. A success whose continuation is only
   * the claim (SENT, ACKED, DELETED) or one statement along it (AlongClaim: JOINED, ALLOWED, a
   * contact's INV) is the claim's one statement and nothing more.
   */
  resume(tx: ChatTx, corrId: string, event: AgentEvent): Promise<ResumeOutcome>;
  expectedEvent(fn: ContinuationFunction): CompletionType;
}

export function commandResumer(handlers: ContinuationHandlers): CommandResumer {
  const handlerOf = (fn: ContinuationFunction) => handlers[fn] as unknown as ContinuationHandler<ContinuationFunction>;
  // Per success event: the functions completed by the claim's statement, and what runs along it.
  const oneStatement: Partial<Record<AgentEventType, { functions: ContinuationFunction[]; along: Array<{ claim: AlongClaim; functions: ContinuationFunction[] }> }>> = {};
  for (const fn of Object.keys(handlers) as ContinuationFunction[]) {
    const h = handlerOf(fn);
    // Its success is only the claim, or one statement along it (its failure, if any, is handled by
    // `resume` like any ERR).
    const along = typeof h.resume === 'function' ? undefined : h.resume;
    if (h.resume !== nothingMore && !along) continue;
    const entry = (oneStatement[h.expects] ??= { functions: [], along: [] });
    entry.functions.push(fn);
    if (!along) continue;
    const shared = entry.along.find((a) => a.claim === along);
    if (shared) shared.functions.push(fn);
    else entry.along.push({ claim: along, functions: [fn] });
  }

  return {
    expectedEvent: (fn) => handlerOf(fn).expects,

    async resume(tx, corrId, event) {
      const reason = event.type === 'ERR' ? `${event.error.code}: ${event.error.message}` : null;
      const inClaim = reason === null ? oneStatement[event.type] : undefined;
      const along: ClaimItem[] = (inClaim?.along ?? []).map((a) => ({ functions: a.functions, item: (claimed, p) => a.claim.item(claimed, p, event) }));
      const command = await claimCommand(tx.em, corrId, reason === null ? 'completed' : 'failed', reason, along);
      if (!command) return (await commandExists(tx.em, corrId)) ? 'duplicate' : 'unknown';
      // (Anything the claim's statement did is rolled back with the throw.)
      if (command.userId !== event.userId) throw new UnexpectedEvent(`event of user ${event.userId} for command ${corrId} of another user`);
      if (inClaim?.functions.includes(command.function)) {
        // Done by the claim. An ACK is outside the per-connection order: its completion frees no head.
        if (!isUnordered({ type: command.type })) tx.touch(command.connId);
        return 'resumed';
      }
      const data = Continuation.parse(command.continuation);
      const handler = handlerOf(data.function);
      tx.touch(command.connId);
      if (event.type === 'ERR') {
        await handler.fail(tx, data, { userId: command.userId, connId: command.connId, reason: reason! });
        // On a connection we are deleting, the failure only ends what was withdrawn (removal).
        await withdrawFailedOnDeleted(tx.em, [command.connId]);
        return 'failed';
      }
      if (event.type !== handler.expects) throw new UnexpectedEvent(`${data.function} (${corrId}) expects ${handler.expects}, got ${event.type}`);
      // An AlongClaim ran in the claim already (returned above); this is a resume of its own.
      if (typeof handler.resume === 'function') await handler.resume(tx, data, event as never);
      return 'resumed';
    },
  };
}
