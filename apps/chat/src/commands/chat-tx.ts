import { randomUUID } from 'node:crypto';
import type { AgentCommand } from '@gc/contracts';
import { EntityManager } from 'typeorm';
import { Command } from './command.entity';
import { Continuation } from './continuation';
import { insertIfAbsent } from '../database/insert-if-absent';

type WithoutIds<T> = T extends unknown ? Omit<T, 'corrId' | 'userId'> : never;
/** An agent command as a handler asks for it; the outbox adds corrId and userId. */
export type CommandRequest = WithoutIds<Exclude<AgentCommand, { type: 'SUBSCRIBE' }>>;

/**
 * One database transaction of the chat, plus what has to happen after it commits: the outbox rows
 * it wrote are published only then (per connection, oldest first).
 */
export class ChatTx {
  /** Connections whose head pending command may have changed. */
  readonly touchedConnections = new Set<string>();

  constructor(readonly em: EntityManager) {}

  /** Writes the outbox row of a command in this transaction; returns its corrId. */
  async record(userId: string, continuation: Continuation, request: CommandRequest, corrId: string = randomUUID()): Promise<string> {
    const command = { ...request, corrId, userId } as AgentCommand;
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
    if (inserted) this.touchedConnections.add(request.connId);
    return corrId;
  }

  touch(connId: string): void {
    this.touchedConnections.add(connId);
  }
}
