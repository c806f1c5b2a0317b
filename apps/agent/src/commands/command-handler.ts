import type { AgentCommandOf, AgentCommandType, AgentEvent } from '@gc/contracts';

export interface CommandContext {
  /** Transient failures so far (a CREATE/JOIN shifts its relay pick by it). */
  attempts: number;
  /** Names the step reached, for the retry log and operators; resuming reads the connection row itself. */
  step(name: string): void;
}

/**
 * Executes one command type. Every step must be safe to repeat: a command resumes from the top
 * after a crash or a transient failure, skipping what the connection row shows as done.
 */
export interface CommandHandler<T extends AgentCommandType = AgentCommandType> {
  readonly type: T;
  execute(command: AgentCommandOf<T>, ctx: CommandContext): Promise<AgentEvent[]>;
}
