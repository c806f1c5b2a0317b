import { randomUUID } from 'node:crypto';
import type { AgentCommand } from '@gc/contracts';
import { EntityManager } from 'typeorm';
import { Command } from './command.entity';
import { Continuation } from './continuation';
import { insertIfAbsent } from '../database/insert-if-absent';
import { isUnordered } from './command-order';

type WithoutIds<T> = T extends unknown ? Omit<T, 'corrId' | 'userId'> : never;
/** An agent command as a handler asks for it; the outbox adds corrId and userId. */
export type CommandRequest = WithoutIds<ConnectionCommand>;
/** An agent command on one connection (every command but SUBSCRIBE). */
export type ConnectionCommand = Exclude<AgentCommand, { type: 'SUBSCRIBE' }>;

/**
 * One database transaction of the chat, plus what has to happen after it commits: the outbox rows
 * it wrote are published only then (per connection, oldest first; ACKs at once).
 */
export class ChatTx {
  /** Connections whose head pending command may have changed. */
  readonly touchedConnections = new Set<string>();
  /** Commands outside the per-connection order (ACKs), published as they are after commit. */
  readonly unorderedCommands: ConnectionCommand[] = [];

  constructor(readonly em: EntityManager) {}

  /** Writes the outbox row of a command in this transaction; returns its corrId. */
  async record(userId: string, continuation: Continuation, request: CommandRequest, corrId: string = randomUUID()): Promise<string> {
    const command = { ...request, corrId, userId } as ConnectionCommand;
    const inserted = await insertIfAbsent(this.em, Command, {
      corrId,
      userId,
      connId: request.connId,
      function: continuation.function,
      continuation: Continuation.parse(continuation) as object,
      command,
      status: 'pending',
      attempts: 1,
    });
    if (inserted && isUnordered(command)) this.unorderedCommands.push(command);
    else if (inserted) this.touchedConnections.add(request.connId);
    return corrId;
  }

  touch(connId: string): void {
    this.touchedConnections.add(connId);
  }
}
