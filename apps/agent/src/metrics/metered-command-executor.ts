import { AgentCommand } from '@gc/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { CommandExecutor, CommandOutcome } from '../commands/command-executor';
import { AgentMetrics } from './agent-metrics';
import { RetryProgressReporter } from './retry-progress';

/**
 * CommandExecutor with its outcomes counted, and a transient failure's reason put on the job.
 * Provided in its place (same DI token), so the command path itself carries no observability code.
 */
@Injectable()
export class MeteredCommandExecutor extends CommandExecutor {
  @Inject(AgentMetrics) private readonly metrics: AgentMetrics;
  @Inject(RetryProgressReporter) private readonly retryProgress: RetryProgressReporter;
  @Inject(AGENT_CONFIG) private readonly agentConfig: AgentConfig;

  override async execute(command: AgentCommand): Promise<CommandOutcome> {
    const outcome = await super.execute(command);
    const label = outcome.kind !== 'transient' && outcome.repeated ? 'repeated' : outcome.kind;
    this.metrics.commands.inc({ type: command.type, outcome: label });
    if (outcome.kind === 'transient') {
      this.metrics.transientRetries.inc({ relay: relayLabel(outcome.relay, this.agentConfig.RELAY_URLS) });
      // Not awaited: the retry must not wait on a progress note (nor on Redis being slow).
      void this.retryProgress.report(command, {
        attempts: outcome.attempts ?? 0,
        lastError: outcome.error,
        relay: outcome.relay ?? null,
        step: outcome.step,
        at: new Date().toISOString(),
      });
    }
    return outcome;
  }
}

/**
 * A relay as a metric label: one of this deployment's own relays, or `foreign` for one an
 * invitation named (never its URL: a peer could mint unbounded label values), `none` for no relay.
 */
export function relayLabel(relay: string | undefined, ownRelays: readonly string[]): string {
  if (relay === undefined) return 'none';
  return ownRelays.includes(relay) ? relay : 'foreign';
}
