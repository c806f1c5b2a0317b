import { AgentCommand } from '@gc/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { CommandExecutor, CommandOutcome } from '../commands/command-executor';
import { AgentMetrics } from './agent-metrics';

/**
 * CommandExecutor with its outcomes counted. Provided in its place (same DI token), so the command
 * path itself carries no metrics code.
 */
@Injectable()
export class MeteredCommandExecutor extends CommandExecutor {
  @Inject(AgentMetrics) private readonly metrics: AgentMetrics;

  override async execute(command: AgentCommand): Promise<CommandOutcome> {
    const outcome = await super.execute(command);
    const label = outcome.kind !== 'transient' && outcome.repeated ? 'repeated' : outcome.kind;
    this.metrics.commands.inc({ type: command.type, outcome: label });
    if (outcome.kind === 'transient') this.metrics.transientRetries.inc({ relay: outcome.relay ?? 'none' });
    return outcome;
  }
}
