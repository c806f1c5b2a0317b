import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { commandClocks, SystemJobs } from '../measure/command-clocks';
import { CommandCompletionProbe } from '../measure/command-completion';
import { cpuSeconds } from '../measure/cpu-time';
import { post202 } from '../measure/load-driver';
import { parseBenchOptions } from '../bench-options';
import { summariseCpuProfiles } from '../profile/cpu-profile-summary';
import { createUsers, runOurThroughput } from '../scenarios/command-throughput';
import { BenchContext } from '../scenarios/bench-context';
import { cpuProfileEnv, startBenchSystem } from '../system/bench-system';
import { eventually } from '../../test/support/eventually';

/**
 * Where an agent restarted with many stored connections spends the time before its next command:
 * `node dist/bench/probes/recovery-profile.js [connections=10000] [rounds=2]` (after `npm run build`).
 * Tops a system up to that many connections once, then per round: kill -9 of the agent, one CREATE
 * posted, the agent started again under the V8 profiler; prints when that command's job was added and
 * taken, when it was journaled and completed, when each relay's opening subscription pass ended (the
 * agent's log), the relays' CPU over the window, and the restarted agent's profile summary.
 */
async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 10_000);
  const rounds = Number(process.argv[3] ?? 2);
  const dir = join(process.cwd(), 'test-output', 'recovery-profiles', String(Date.now()));
  const ctx: BenchContext = { opts: parseBenchOptions([]), figures: [], notes: [], profileDir: dir, log: (l) => console.log(l) };
  const system = await startBenchSystem({ label: 'probe-recovery' });
  const jobs = new SystemJobs(system);
  try {
    const users = await createUsers(system, 20);
    await runOurThroughput(ctx, system, users, connections);
    for (let round = 1; round <= rounds; round++) {
      const logFrom = statSync(system.agent.logFile).size;
      const relayCpu = system.relays.map((r) => cpuSeconds(r.process.child.pid));
      const probe = new CommandCompletionProbe(system.pg, 5);
      probe.start();
      const killedAt = performance.now();
      const killedAtWall = Date.now();
      await system.killAgent();
      const after = await post202(`${system.chat.url}/users/${users[0]}/invitations`, undefined, system.api.tokenOf(users[0]));
      const nextDone = probe.completion(after.contactId);
      const profileDir = join(dir, `round${round}`);
      await system.startAgent(cpuProfileEnv(profileDir, process.env.PROBE_PRELOAD ? [process.env.PROBE_PRELOAD] : []));
      const healthy = (performance.now() - killedAt) / 1000;
      const next = ((await nextDone) - killedAt) / 1000;
      await probe.stop();
      const clocks = await commandClocks(system.pg, after.contactId);
      const at = (ms: number | undefined) => (ms ? ((ms - killedAtWall) / 1000).toFixed(2) : '?');
      const job = clocks ? await jobs.command(clocks.corrId) : {};
      // The opening passes: one 'relay queues subscribed' line of scope all per relay.
      const passes = await eventually(
        () => {
          const ended = readFileSync(system.agent.logFile, 'utf8')
            .slice(logFrom)
            .split('\n')
            .filter((line) => line.includes('relay queues subscribed') && line.includes('"scope":"all"'))
            .map((line) => JSON.parse(line) as { time: number; queues: number })
            .map((pass) => `${at(pass.time)} s (${pass.queues} queues)`);
          return ended.length >= system.relays.length && ended;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, what: 'the opening pass on every relay' },
      );
      const relaysUsed = system.relays.map((r, i) => (cpuSeconds(r.process.child.pid) - relayCpu[i]).toFixed(2));
      console.log(
        `round ${round}: healthy ${healthy.toFixed(2)} s, next command ${next.toFixed(2)} s (job added ${at(job.addedMs)} s, taken ${at(job.takenMs)} s; ` +
          `journaled ${at(clocks?.agentSawMs)} s, completed ${at(clocks?.agentDoneMs)} s); opening passes ended ${passes.join(', ')}; relay CPU s ${relaysUsed.join(', ')}`,
      );
      await system.agent.stop();
      for (const s of summariseCpuProfiles(profileDir, 30)) {
        console.log(`agent busy ${s.busySeconds.toFixed(1)} s: ${s.byPackage.map((p) => `${p.name} ${p.percent.toFixed(0)}%`).join(', ')}`);
        for (const f of s.topFunctions) console.log(`  ${f.percent.toFixed(1)}%  ${f.name}`);
      }
      await system.startAgent();
    }
  } finally {
    await jobs.close();
    await system.stop();
  }
  console.log(`profiles: ${dir}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
