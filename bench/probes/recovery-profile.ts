import { mkdirSync, readFileSync, statSync } from 'node:fs';
import Redis from 'ioredis';
import { join } from 'node:path';
import { CommandCompletionProbe } from '../measure/command-completion';
import { cpuSeconds } from '../measure/cpu-time';
import { post202 } from '../measure/load-driver';
import { parseBenchOptions } from '../bench-options';
import { summariseCpuProfiles } from '../profile/cpu-profile-summary';
import { createUsers, runOurThroughput } from '../scenarios/command-throughput';
import { BenchContext } from '../scenarios/bench-context';
import { startBenchSystem } from '../system/bench-system';

/**
 * Where an agent restarted with many stored connections spends the time before its next command:
 * `node dist/bench/probes/recovery-profile.js [connections=10000] [rounds=2]` (after `npm run build`).
 * Tops a system up to that many connections once, then per round: kill -9 of the agent, one CREATE
 * posted, the agent started again under the V8 profiler; prints when that command was journaled and
 * completed, when each relay's opening subscription pass ended (the agent's log), the relays' CPU
 * over the window, and the restarted agent's profile summary.
 */
async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 10_000);
  const rounds = Number(process.argv[3] ?? 2);
  const dir = join(process.cwd(), 'test-output', 'recovery-profiles', String(Date.now()));
  const ctx: BenchContext = { opts: parseBenchOptions([]), figures: [], notes: [], profileDir: dir, log: (l) => console.log(l) };
  const system = await startBenchSystem({ label: 'probe-recovery' });
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
      mkdirSync(profileDir, { recursive: true });
      await system.startAgent({ NODE_OPTIONS: `--require ${join(__dirname, '..', 'profile', 'cpu-profiler-preload.js')}${process.env.PROBE_PRELOAD ? ` --require ${process.env.PROBE_PRELOAD}` : ''}`, BENCH_CPU_PROFILE_DIR: profileDir });
      const healthy = (performance.now() - killedAt) / 1000;
      const next = ((await nextDone) - killedAt) / 1000;
      await probe.stop();
      const { rows } = await system.pg.query(
        `SELECT c.corr_id, extract(epoch FROM a.created_at) * 1000 AS saw, extract(epoch FROM a.updated_at) * 1000 AS done
           FROM contacts k JOIN commands c ON c.conn_id = k.conn_id JOIN agent.commands a ON a.corr_id = c.corr_id WHERE k.id = $1`,
        [after.contactId],
      );
      // The job's own clock: added (by the chat), taken by a worker, finished.
      const redis = new Redis(system.redisUrl);
      const [key] = (await redis.keys(`${system.prefix}*:${rows[0]?.corr_id}`)).filter((k) => !k.endsWith(':logs'));
      const job = key ? await redis.hgetall(key) : {};
      await redis.quit();
      const at = (ms: string | undefined) => (ms ? ((Number(ms) - killedAtWall) / 1000).toFixed(2) : '?');
      console.log(`job ${key}: added ${at(job.timestamp)} s, taken ${at(job.processedOn)} s, finished ${at(job.finishedOn)} s, attempts ${job.atm ?? job.ats}`);
      // The opening passes: one 'relay queues subscribed' line of scope all per relay.
      const passes: string[] = [];
      for (let waited = 0; passes.length < system.relays.length && waited < 120; waited++) {
        passes.length = 0;
        const text = readFileSync(system.agent.logFile, 'utf8').slice(logFrom);
        for (const line of text.split('\n')) {
          if (!line.includes('relay queues subscribed') || !line.includes('"scope":"all"')) continue;
          const parsed = JSON.parse(line) as { time: number; queues: number };
          passes.push(`${((parsed.time - killedAtWall) / 1000).toFixed(2)} s (${parsed.queues} queues)`);
        }
        if (passes.length < system.relays.length) await new Promise((r) => setTimeout(r, 1000));
      }
      const relaysUsed = system.relays.map((r, i) => (cpuSeconds(r.process.child.pid) - relayCpu[i]).toFixed(2));
      console.log(
        `round ${round}: healthy ${healthy.toFixed(2)} s, next command ${next.toFixed(2)} s (journaled ${((Number(rows[0]?.saw) - killedAtWall) / 1000).toFixed(2)} s, ` +
          `completed ${((Number(rows[0]?.done) - killedAtWall) / 1000).toFixed(2)} s); opening passes ended ${passes.join(', ')}; relay CPU s ${relaysUsed.join(', ')}`,
      );
      await system.agent.stop();
      for (const s of summariseCpuProfiles(profileDir, 30)) {
        console.log(`agent busy ${s.busySeconds.toFixed(1)} s: ${s.byPackage.map((p) => `${p.name} ${p.percent.toFixed(0)}%`).join(', ')}`);
        for (const f of s.topFunctions) console.log(`  ${f.percent.toFixed(1)}%  ${f.name}`);
      }
      await system.startAgent();
    }
  } finally {
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
