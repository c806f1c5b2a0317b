import { CommandCompletionProbe } from '../measure/command-completion';
import { Distribution, distribution } from '../measure/distribution';
import { post202 } from '../measure/load-driver';
import { BenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';

/** One CREATE round trip: POST /users/:u/invitations → the command seen `completed` in Postgres. */
async function roundTrip(system: BenchSystem, probe: CommandCompletionProbe, userId: string): Promise<number> {
  const started = performance.now();
  const { contactId } = await post202(`${system.chat.url}/users/${userId}/invitations`, undefined, system.api.tokenOf(userId));
  return (await probe.completion(contactId)) - started;
}

/** One command at a time, nothing else running. */
export async function runUnloadedLatency(ctx: BenchContext, system: BenchSystem, users: string[]): Promise<Distribution> {
  const probe = new CommandCompletionProbe(system.pg, 1);
  probe.start();
  try {
    for (let i = 0; i < 5; i++) await roundTrip(system, probe, users[i % users.length]); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < ctx.opts.latencySamples; i++) samples.push(await roundTrip(system, probe, users[i % users.length]));
    return distribution(samples);
  } finally {
    await probe.stop();
  }
}

/** Open loop at `rate` commands/s for the configured seconds; every command's round trip is a sample. */
export async function runLoadedLatency(ctx: BenchContext, system: BenchSystem, users: string[], rate: number): Promise<Distribution> {
  const probe = new CommandCompletionProbe(system.pg, 1);
  probe.start();
  try {
    const samples: Array<Promise<number>> = [];
    const total = Math.max(1, Math.round(rate * ctx.opts.loadedSeconds));
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      // Scheduled against the start, so a slow answer does not lower the offered rate.
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      samples.push(roundTrip(system, probe, users[i % users.length]));
    }
    return distribution(await Promise.all(samples));
  } finally {
    await probe.stop();
  }
}
