import type { AgentCommand } from '@gc/contracts';
import { EntityManager } from 'typeorm';
import { Continuation } from './continuation';
import { isUnordered } from './command-order';
import { SqlParams } from '@gc/persistence';
import { AppendTo, appendItems, commandRow, insertCommands, OUTBOX_WRITTEN, outboxItem, OutboxItem } from './command-store';

type WithoutIds<T> = T extends unknown ? Omit<T, 'corrId' | 'userId'> : never;
/** An agent command on one connection (every command but SUBSCRIBE). */
export type ConnectionCommand = Exclude<AgentCommand, { type: 'SUBSCRIBE' }>;
/** An agent command as a flow asks for it; the outbox adds corrId and userId. */
export type CommandRequest = WithoutIds<ConnectionCommand>;

/** "Ask the agent for `request`, and continue with `continuation` when it completes." */
export interface CommandAsk {
  continuation: Continuation;
  request: CommandRequest;
  /** A corrId derived from what caused the ask (an ACK's), so asking twice writes one row. */
  corrId?: string;
}

/** A domain statement that writes its own rows and, in the same statement, the outbox's (askWith). */
export type StatementWithOutbox = (outbox: OutboxItem, params: SqlParams) => string;

/**
 * One database transaction of the chat, plus what has to happen after it commits. Flows ask for
 * commands through it (ask, askAll, askWith); which connections' heads to publish after commit is its
 * own bookkeeping, never the caller's.
 */
export class ChatTx {
  /** Connections whose head pending command may have changed: read back after commit. */
  readonly touchedConnections = new Set<string>();
  /**
   * The head of a connection opened in this transaction is its first command asked for here: no
   * other transaction knew the connection before commit. It is published without reading it back.
   */
  private readonly knownHeadsByConn = new Map<string, ConnectionCommand>();
  private readonly openedConnections = new Set<string>();
  /** Commands outside the per-connection order (ACKs), published as they are after commit. */
  readonly unorderedCommands: ConnectionCommand[] = [];

  constructor(readonly em: EntityManager) {}

  get knownHeads(): Iterable<ConnectionCommand> {
    return this.knownHeadsByConn.values();
  }

  /** Asks for one command in this transaction; returns its corrId. */
  async ask(userId: string, continuation: Continuation, request: CommandRequest, corrId?: string): Promise<string> {
    const [asked] = await this.askAll(userId, [{ continuation, request, corrId }]);
    return asked;
  }

  /** Asks for several commands in one statement, in the given order (commands on one connection keep it). */
  async askAll(userId: string, asks: CommandAsk[]): Promise<string[]> {
    if (asks.length === 0) return [];
    const rows = asks.map((a) => commandRow(userId, a.continuation, a.request, a.corrId));
    this.recorded(rows, await insertCommands(this.em, rows));
    return rows.map((r) => r.corrId);
  }

  /**
   * Runs ONE statement that writes domain rows and asks for commands (a hot path that needs no
   * transaction around it, see UnitOfWork.runOneStatement). `statement` places the outbox's WITH item
   * and its `written` column (in a select list that yields one row); every part takes its parameters
   * from the same SqlParams.
   */
  async askWith<R extends object>(userId: string, asks: CommandAsk[], statement: StatementWithOutbox): Promise<R> {
    const rows = asks.map((a) => commandRow(userId, a.continuation, a.request, a.corrId));
    const params = new SqlParams();
    const sql = statement(outboxItem(rows, params), params);
    const [result]: (R & { [OUTBOX_WRITTEN]: string[] })[] = await this.em.query(sql, params.values);
    this.recorded(rows, new Set(result?.[OUTBOX_WRITTEN] ?? []));
    return result;
  }

  /**
   * Asks for a SEND, or folds it into the SEND already waiting on its connection behind the one in
   * flight (`to` says when that is allowed and how bodies merge; see appendItems): under the
   * per-connection order, what queues behind a command then leaves in one round trip instead of one
   * each. One statement either way; `params` holds what `to` already added. Returns the corrId of the
   * row that carries it.
   */
  async askAppending(userId: string, ask: CommandAsk, to: AppendTo, params: SqlParams = new SqlParams()): Promise<string> {
    const row = commandRow(userId, ask.continuation, ask.request, ask.corrId);
    const append = appendItems(row.connId, row.function, to, params);
    const outbox = outboxItem([row], params);
    const [result]: { appended: string | null; [OUTBOX_WRITTEN]: string[] }[] = await this.em.query(
      `WITH ${append}, ${outbox.item('fresh')} SELECT (SELECT corr_id FROM appended) AS appended, ${outbox.written}`,
      params.values,
    );
    if (result.appended !== null) return result.appended;
    this.recorded([row], new Set(result[OUTBOX_WRITTEN]));
    return row.corrId;
  }

  /** Called by the connection store only: a connection created in this transaction (see knownHeads). */
  opened(connId: string): void {
    this.openedConnections.add(connId);
  }

  /** A command of this connection ended: its next one may be the head now. */
  touch(connId: string): void {
    this.touchedConnections.add(connId);
  }

  /** Bookkeeping of the rows a statement wrote (a corrId already there was published already, too). */
  private recorded(rows: { corrId: string; command: ConnectionCommand }[], written: Set<string>): void {
    for (const { corrId, command } of rows) {
      if (!written.has(corrId)) continue;
      if (isUnordered(command)) this.unorderedCommands.push(command);
      else if (!this.openedConnections.has(command.connId)) this.touchedConnections.add(command.connId);
      else if (!this.knownHeadsByConn.has(command.connId)) this.knownHeadsByConn.set(command.connId, command);
    }
  }
}
