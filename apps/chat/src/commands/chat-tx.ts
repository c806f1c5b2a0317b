import { randomUUID } from 'node:crypto';
import type { AgentCommand } from '@gc/contracts';
import { EntityManager } from 'typeorm';
import { Continuation } from './continuation';
import { isUnordered } from './command-order';

type WithoutIds<T> = T extends unknown ? Omit<T, 'corrId' | 'userId'> : never;
/** An agent command as a handler asks for it; the outbox adds corrId and userId. */
export type CommandRequest = WithoutIds<ConnectionCommand>;
/** An agent command on one connection (every command but SUBSCRIBE). */
export type ConnectionCommand = Exclude<AgentCommand, { type: 'SUBSCRIBE' }>;

/** The values of one outbox row, in the column order of OUTBOX_COLUMNS. */
export interface OutboxRow {
  corrId: string;
  userId: string;
  connId: string;
  function: string;
  continuation: Continuation;
  command: ConnectionCommand;
}
export const OUTBOX_COLUMNS = `corr_id, user_id, conn_id, function, continuation, command, status, attempts`;

export function outboxRow(userId: string, continuation: Continuation, request: CommandRequest, corrId: string = randomUUID()): OutboxRow {
  const command = { ...request, corrId, userId } as ConnectionCommand;
  return { corrId, userId, connId: request.connId, function: continuation.function, continuation: Continuation.parse(continuation), command };
}

/**
 * One database transaction of the chat, plus what has to happen after it commits: the outbox rows
 * it wrote are published only then (per connection, oldest first; ACKs at once).
 */
export class ChatTx {
  /** Connections whose head pending command may have changed: read back after commit. */
  readonly touchedConnections = new Set<string>();
  /**
   * The head of a connection opened in this transaction is its first command recorded here: no
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

  /** Writes the outbox row of a command in this transaction; returns its corrId. */
  async record(userId: string, continuation: Continuation, request: CommandRequest, corrId?: string): Promise<string> {
    const [recorded] = await this.recordAll(userId, [{ continuation, request, corrId }]);
    return recorded;
  }

  /**
   * Writes several outbox rows in one statement (one round trip), in the given order: ids are
   * taken row by row, so commands on one connection keep that order. Returns their corrIds.
   */
  async recordAll(userId: string, commands: { continuation: Continuation; request: CommandRequest; corrId?: string }[]): Promise<string[]> {
    if (commands.length === 0) return [];
    const rows = commands.map((c) => outboxRow(userId, c.continuation, c.request, c.corrId));
    const values = rows.map((_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}::jsonb, $${i * 6 + 6}::jsonb, 'pending', 1)`);
    const params = rows.flatMap((r) => [r.corrId, r.userId, r.connId, r.function, JSON.stringify(r.continuation), JSON.stringify(r.command)]);
    // A given corrId (an ACK's) may be recorded already: then it was published already, too.
    const inserted: { corr_id: string }[] = await this.em.query(
      `INSERT INTO commands (${OUTBOX_COLUMNS}) VALUES ${values.join(', ')} ON CONFLICT (corr_id) DO NOTHING RETURNING corr_id`,
      params,
    );
    const fresh = new Set(inserted.map((r) => r.corr_id));
    for (const row of rows) if (fresh.has(row.corrId)) this.recorded(row.command);
    return rows.map((r) => r.corrId);
  }

  /** Bookkeeping of an outbox row written (by record, or by a statement that wrote it with more). */
  recorded(command: ConnectionCommand): void {
    if (isUnordered(command)) this.unorderedCommands.push(command);
    else if (!this.openedConnections.has(command.connId)) this.touchedConnections.add(command.connId);
    else if (!this.knownHeadsByConn.has(command.connId)) this.knownHeadsByConn.set(command.connId, command);
  }

  /** A connection created in this transaction (see knownHeads). */
  opened(connId: string): void {
    this.openedConnections.add(connId);
  }

  touch(connId: string): void {
    this.touchedConnections.add(connId);
  }
}
