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

/**
 * Depth-first across connections: a CREATE starts a handshake, every other command moves one on (or
 * delivers over a connected one). CREATE jobs are BullMQ-prioritized, and the worker takes a
 * prioritized job only when no plain one waits (BullMQ's moveToActive pops `wait` before
 * `prioritized`), so under a backlog the agent finishes the pairs it has started before it starts
 * more. Measured: with a group's members all joining at once, the 2 × 1,225 intro CREATEs of host + 50
 * went first, FIFO, and no member pair connected for the first ~27 s (docs/benchmarks.md, the
 * convergence chart's plateau). A CREATE waits only while other commands wait, so unloaded it is
 * not delayed; under an overload that never drains, new handshakes wait until it does.
 */
export const NEW_HANDSHAKE_PRIORITY = 1;

/** The BullMQ priority of a command's job: NEW_HANDSHAKE_PRIORITY for a CREATE, none (first) for the rest. */
export function jobPriorityOf(command: Pick<AgentCommand, 'type'>): number | undefined {
  return command.type === 'CREATE' ? NEW_HANDSHAKE_PRIORITY : undefined;
}
