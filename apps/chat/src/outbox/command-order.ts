import type { AgentCommand } from '@gc/contracts';

/**
 * The ordering rule of the outbox: one command in flight per connection, oldest first — except ACK,
 * which only marks a row of the agent's inbox (done under the agent's connection lock anyway), so it
 * never waits behind the SENDs of its connection nor holds them up.
 */
export function isUnordered(command: Pick<AgentCommand, 'type'>): boolean {
  return command.type === 'ACK';
}

/** SQL predicate on `commands` selecting the rows that take part in the per-connection order. */
export const ORDERED_SQL = `function <> 'ACK_MESSAGE'`;
