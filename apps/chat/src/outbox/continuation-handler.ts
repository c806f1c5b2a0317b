import type { AgentEvent, AgentEventOf } from '@gc/contracts';
import type { SqlParams } from '@gc/persistence';
import type { ChatTx } from './chat-tx';
import type { ContinuationFunction, ContinuationOf } from './continuation';

/** The success events a command can complete with. */
export type CompletionType = 'INV' | 'JOINED' | 'ALLOWED' | 'SENT' | 'ACKED' | 'DELETED';

/** A permanent ERR of a command: the command row is failed already; this is what it was for. */
export interface CommandFailure {
  userId: string;
  connId: string;
  /** `CODE: message`, as stored in the command's last_error. */
  reason: string;
}

/**
 * What a function's continuation does, written by the domain that asked for the command: `resume`
 * on the success event it `expects`, `fail` on a permanent error. Both run in the transaction that
 * claimed the command, exactly once (the claim and a rollback go together). A `resume` that is one
 * statement on the command's connection is written as an AlongClaim and runs inside the claim's.
 */
export interface ContinuationHandler<F extends ContinuationFunction, E extends CompletionType = CompletionType> {
  expects: E;
  resume: Resume<F, E> | AlongClaim;
  fail(tx: ChatTx, data: ContinuationOf<F>, failure: CommandFailure): Promise<void>;
}

/**
 * A resume function, with the parameter bivariance it had as a method: a handler of one event type
 * fits the table typed over all of them (TypeScript's usual way to say so for a function property).
 */
type Resume<F extends ContinuationFunction, E extends CompletionType> = {
  bivariant(tx: ChatTx, data: ContinuationOf<F>, event: AgentEventOf<E>): Promise<void>;
}['bivariant'];

/** The one dispatcher's table: a handler for every function of the Continuation union. */
export type ContinuationHandlers = { [F in ContinuationFunction]: ContinuationHandler<F> };

/**
 * A continuation that is one statement on the claimed command's connection: `item` writes it as a
 * WITH item over `claimed` (a relation of conn_id and user_id), with the success event's data, so
 * the claim and the continuation are one statement (CommandResumer.resume). Functions of one event
 * type that share the same AlongClaim object share one item.
 */
export interface AlongClaim {
  /** `event` is the success event the function expects (the resumer runs it for no other). */
  item(claimed: string, p: SqlParams, event: AgentEvent): string;
}

/**
 * The continuation of a command whose completion is only its claim (SENT, ACKED), and whose failure
 * changes nothing else: such a completion is one UPDATE with no transaction around it.
 */
export const nothingMore = async (): Promise<void> => {};
