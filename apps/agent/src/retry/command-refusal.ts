import type { AgentErrorCode } from '@gc/contracts';

/** A command the agent will never be able to execute as asked: reported as ERR, never retried. */
export class CommandRefusal extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRefusal';
  }
}
