import { commandClocks, SystemJobs } from '../measure/command-clocks';
import { CommandCompletionProbe } from '../measure/command-completion';
import { post202 } from '../measure/load-driver';
import { createUsers } from '../scenarios/command-throughput';
import { startBenchSystem } from '../system/bench-system';

/**
 * Where an unloaded CREATE's round trip goes, stage by stage, from each side's own clock (one
 * machine): `node dist/bench/probes/latency-stages.js [samples=40]` (after `npm run build`).
 * POST sent → 202 → command job added (chat) → taken (agent) → journaled → job finished → result
 * event added → taken (chat) → row completed → seen by the bench's 1 ms poll; medians in ms.
 */
async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 40);
  const system = await startBenchSystem({ label: 'probe-latency' });
  const jobs = new SystemJobs(system);
  const probe = new CommandCompletionProbe(system.pg, 1);
  probe.start();
  const stages: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (stages[name] ??= []).push(ms);
  try {
    const users = await createUsers(system, 5);
    for (let i = 0; i < 5 + samples; i++) {
      const user = users[i % users.length];
      const sentWall = Date.now();
      const sent = performance.now();
      const { contactId } = await post202(`${system.chat.url}/users/${user}/invitations`, undefined, system.api.tokenOf(user));
      const accepted = performance.now();
      const seen = (await probe.completion(contactId)) - sent;
      if (i < 5) continue; // warm-up
      const clocks = (await commandClocks(system.pg, contactId))!;
      const command = await jobs.command(clocks.corrId);
      const result = await jobs.result(clocks.corrId);
      const t = (ms: number | undefined) => Number(ms) - sentWall;
      add('202', accepted - sent);
      add('command job added', t(command.addedMs));
      add('taken by the agent', t(command.takenMs));
      add('journaled', t(clocks.agentSawMs));
      add('command job finished', t(command.finishedMs));
      add('result event added', t(result.addedMs));
      add('taken by the chat', t(result.takenMs));
      add('row completed', t(clocks.chatDoneMs));
      add('event job finished', t(result.finishedMs));
      add('seen by the poll', seen);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const [name, xs] of Object.entries(stages)) console.log(`${median(xs).toFixed(1).padStart(7)} ms  ${name}`);
  } finally {
    await probe.stop();
    await jobs.close();
    await system.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
