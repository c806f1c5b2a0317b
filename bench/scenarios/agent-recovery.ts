import { commandClocks } from '../measure/command-clocks';
import { CommandCompletionProbe } from '../measure/command-completion';
import { post202 } from '../measure/load-driver';
import { BenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';

export interface RecoveryRun {
  /** kill -9 → the first command sent after the kill is completed (the agent restarted at once). */
  nextCompletedSeconds: number;
  /** kill -9 → every command that was in flight at the kill is completed (stalled jobs taken over). */
  inFlightCompletedSeconds: number;
  /** kill -9 → the new agent's /health answers. */
  restartSeconds: number;
  inFlight: number;
  /** kill -9 → the new agent first journaled / completed that next command (agent.commands timestamps). */
  agentSawSeconds: number;
  agentCompletedSeconds: number;
}

/**
 * A supervisor's view: commands are in flight, the agent is killed with SIGKILL and started again
 * at once (as compose's restart policy would), while the chat keeps accepting commands.
 */
export async function runAgentRecovery(
  ctx: BenchContext,
  system: BenchSystem,
  users: string[],
  opts: { inFlight?: number; restart: boolean } = { restart: true },
): Promise<RecoveryRun> {
  const inFlight = opts.inFlight ?? 20;
  const probe = new CommandCompletionProbe(system.pg, 5);
  probe.start();
  try {
    const before = await Promise.all(Array.from({ length: inFlight }, (_, i) => post202(`${system.chat.url}/users/${users[i % users.length]}/invitations`, undefined, system.api.tokenOf(users[i % users.length]))));
    const inFlightDone = Promise.all(before.map((b) => probe.completion(b.contactId)));
    const killedAt = performance.now();
    const killedAtWall = Date.now();
    await system.killAgent();
    const after = await post202(`${system.chat.url}/users/${users[0]}/invitations`, undefined, system.api.tokenOf(users[0]));
    const nextDone = probe.completion(after.contactId);
    // With a standby agent running nothing is restarted: it takes the new command and the stalled ones.
    if (opts.restart) await system.startAgent();
    const restartSeconds = opts.restart ? (performance.now() - killedAt) / 1000 : NaN;
    const nextCompletedSeconds = ((await nextDone) - killedAt) / 1000;
    const inFlightCompletedSeconds = (Math.max(...(await inFlightDone)) - killedAt) / 1000;
    // Where the time went: the agent's own journal row of that command (same clock, same machine).
    const clocks = await commandClocks(system.pg, after.contactId);
    const agentSawSeconds = clocks ? (clocks.agentSawMs - killedAtWall) / 1000 : NaN;
    const agentCompletedSeconds = clocks ? (clocks.agentDoneMs - killedAtWall) / 1000 : NaN;
    ctx.log(`  recovery (${opts.restart ? 'one agent, restarted' : `${1 + system.standbyAgents.length} agents, none restarted`}): restart ${restartSeconds.toFixed(2)} s, next command ${nextCompletedSeconds.toFixed(2)} s, all ${inFlight} in flight ${inFlightCompletedSeconds.toFixed(2)} s; agent journaled it at ${agentSawSeconds.toFixed(2)} s, completed at ${agentCompletedSeconds.toFixed(2)} s`);
    return { nextCompletedSeconds, inFlightCompletedSeconds, restartSeconds, inFlight, agentSawSeconds, agentCompletedSeconds };
  } finally {
    await probe.stop();
  }
}
