import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { BenchOptions, parseBenchOptions, wants } from './bench-options';
import { agentAttempts, commandTimings } from './measure/command-timings';
import { measureCryptoCost } from './measure/crypto-cost';
import { residentMb } from './measure/process-memory';
import { explainHotQueries } from './profile/query-plans';
import { buildFigures } from './report/bench-figures';
import { writeConvergenceCharts } from './report/convergence-charts';
import { fmt } from './report/figure';
import { renderGenerated } from './report/generated-block';
import { describeMachine } from './report/machine';
import { consoleTable, writeReport } from './report/markdown-report';
import { Results } from './report/results';
import { runAgentRecovery } from './scenarios/agent-recovery';
import { BenchContext } from './scenarios/bench-context';
import { ThroughputLoad, createUsers, runBaselineThroughput, runOurThroughput } from './scenarios/command-throughput';
import { runConnectionMemory } from './scenarios/connection-memory';
import { runGroupConvergence } from './scenarios/group-convergence';
import { runHotPathProfile } from './scenarios/hot-path-profile';
import { runReplicaScaling } from './scenarios/replica-scaling';
import { runLoadedLatency, runUnloadedLatency } from './scenarios/round-trip-latency';
import { benchOutputDir, startBenchSystem } from './system/bench-system';
import { repoRoot, rerunFromSnapshot } from './system/dist-snapshot';

const ROOT = repoRoot();

/**
 * How long a group may take before the run gives up on it. 50 members get 120 s, twice their 30%
 * target, so their time is measured rather than cut; the smaller groups keep shorter cuts to hold
 * the whole run near 10 minutes.
 */
function convergenceTimeoutMs(members: number, quick: boolean): number {
  if (members >= 50) return 120_000;
  return quick ? 40_000 : 45_000;
}

/** The naive peer's loads: 20 users as the throughput run, and one user as the single-user run. */
function baselineLoads(opts: BenchOptions): ThroughputLoad[] {
  const loads: ThroughputLoad[] = [{ users: 20, commands: opts.commands, concurrency: opts.concurrency }];
  if (wants(opts, 'single-user')) loads.push({ users: 1, commands: opts.singleUserCommands, concurrency: opts.singleUserConcurrency });
  return loads;
}

/** Record a baseline run's results: [20 users, one user?]. */
function keepBaseline(r: Results, runs: Awaited<ReturnType<typeof runBaselineThroughput>>): void {
  r.baseline.push(runs[0]);
  if (runs[1]) r.baselineSingleUser.push(runs[1]);
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  const code = await rerunFromSnapshot();
  if (code !== null) process.exit(code);
  stopChildrenOnSignal();
  const startedAt = new Date();
  const t0 = performance.now();
  const log = (line: string) => process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const ctx: BenchContext = { opts, figures: [], notes: [], profileDir: join(benchOutputDir(), 'bench-profiles'), log };
  mkdirSync(ctx.profileDir, { recursive: true });
  const machine = describeMachine();
  log(`bench on ${machine}`);
  const r: Results = { baseline: [], baselineSingleUser: [], plans: [], timings: [], convergence: [], replicas: [], charts: new Map() };

  // The convergence runs need the naive peer's CPU per command of this run as their unit.
  const needsBaseline = (['baseline', 'throughput', 'single-user', 'convergence'] as const).some((s) => wants(opts, s));
  if (needsBaseline) {
    log('1. baseline (naive peer)');
    keepBaseline(r, await runBaselineThroughput(ctx, baselineLoads(opts)));
  }
  const commandScenarios = (['throughput', 'single-user', 'latency', 'recovery', 'memory'] as const).filter((s) => wants(opts, s));
  if (commandScenarios.length > 0) {
    const system = await startBenchSystem({ label: 'commands', chatEnv: opts.chatEnv, agentEnv: opts.agentEnv });
    try {
      const users = await createUsers(system, 20);
      const idle = { agentMb: residentMb(system.agent.child.pid), chatMb: residentMb(system.chat.child.pid) };
      if (wants(opts, 'throughput')) {
        log('2. command throughput');
        await runOurThroughput(ctx, system, users, Math.min(50, opts.commands)); // warm-up: JIT, pools, relay sessions
        r.ours = await runOurThroughput(ctx, system, users);
        r.crypto = measureCryptoCost();
        log(`  crypto per command: CREATE ${fmt(r.crypto.createUs, 0)} µs, JOIN ${fmt(r.crypto.joinUs, 0)} µs, a 1 KiB message ${fmt(r.crypto.messageUs, 0)} µs`);
      }
      if (wants(opts, 'single-user')) {
        log('2. single-user throughput (one user, a bot or business account)');
        const [one] = await createUsers(system, 1, 'bench-single-user');
        if (!r.ours) await runOurThroughput(ctx, system, users, Math.min(50, opts.commands)); // warm-up, as above
        r.oursSingleUser = await runOurThroughput(ctx, system, [one], opts.singleUserCommands, opts.singleUserConcurrency);
      }
      if (wants(opts, 'latency')) {
        log('3. round-trip latency');
        r.unloaded = await runUnloadedLatency(ctx, system, users);
        log(`  unloaded: p50 ${fmt(r.unloaded.p50)} ms, p99 ${fmt(r.unloaded.p99)} ms`);
        const peak = r.ours?.perSecond ?? (await runOurThroughput(ctx, system, users)).perSecond;
        const rate = peak / 2;
        r.loaded = { rate, dist: await runLoadedLatency(ctx, system, users, rate) };
        log(`  at ${fmt(rate, 0)}/s: p50 ${fmt(r.loaded.dist.p50)} ms, p99 ${fmt(r.loaded.dist.p99)} ms`);
      }
      // Memory before recovery: the slope needs the same agent process from warm to the end.
      if (wants(opts, 'memory')) {
        log('6. memory');
        r.memory = await runConnectionMemory(ctx, system, users, idle);
        r.plans = await explainHotQueries(system.pg);
      }
      if (wants(opts, 'recovery')) {
        log('5. recovery after kill -9 of the agent');
        r.recovery = await runAgentRecovery(ctx, system, users, { restart: true });
      }
      r.timings = await commandTimings(system.pg);
      if (process.env.BENCH_DEBUG) for (const t of await agentAttempts(system.pg)) log(`  agent ${JSON.stringify(t)}`);
    } finally {
      await system.stop();
    }
  }
  if (wants(opts, 'recovery')) {
    log('5. recovery with two agents (as compose runs them): kill -9 of one, no restart');
    const system = await startBenchSystem({ label: 'recovery2', standbyAgents: 1, chatEnv: opts.chatEnv, agentEnv: opts.agentEnv });
    try {
      const users = await createUsers(system, 5);
      await runOurThroughput(ctx, system, users, 20); // warm-up
      r.recoveryTwoAgents = await runAgentRecovery(ctx, system, users, { restart: false });
    } finally {
      await system.stop();
    }
  }
  if (r.ours || r.oursSingleUser) {
    log('1. baseline again (noise check: ours is measured between two baseline runs)');
    keepBaseline(r, await runBaselineThroughput(ctx, baselineLoads(opts)));
  }
  if (wants(opts, 'convergence')) {
    for (const rate of opts.faultRates) {
      log(`4. group convergence at ${rate * 100}% faults`);
      for (const members of opts.groupSizes) {
        try {
          r.convergence.push(...(await runGroupConvergence(ctx, rate, [members], convergenceTimeoutMs(members, opts.quick))));
        } catch (err) {
          // One overloaded run (e.g. a setup request past the harness' 10 s) must not lose the others.
          const error = (err as Error).message.split('\n')[0];
          log(`  group of host + ${members} at ${rate * 100}% faults failed: ${error}`);
          const timeoutMs = convergenceTimeoutMs(members, opts.quick);
          r.convergence.push({ members, faultRate: rate, pairs: ((members + 1) * members) / 2, seconds: NaN, pairsReached: 0, setupSeconds: NaN, pendingAtEnd: NaN, error, timeoutMs, curve: [] });
        }
      }
    }
    // Beside the report when one is written (docs/img/), else with the run's other output.
    const reportDir = opts.out ? dirname(resolve(ROOT, opts.out)) : null;
    const pngs = await writeConvergenceCharts(reportDir ? join(reportDir, 'img') : join(benchOutputDir(), 'bench-charts'), r.convergence, log);
    for (const [members, png] of pngs) r.charts.set(members, reportDir ? relative(reportDir, png) : png);
  }
  if (wants(opts, 'replicas')) {
    for (const cpuCap of opts.replicaCpu) {
      for (const n of opts.replicas) {
        log(`7. replicas: ${n} agent(s) + ${n} chat(s)${cpuCap > 0 ? `, each capped at ${cpuCap} cores` : ''}`);
        try {
          r.replicas.push(await runReplicaScaling(ctx, n, cpuCap));
        } catch (err) {
          const error = (err as Error).message.split('\n')[0];
          log(`  ${n} + ${n} failed: ${error}`);
          r.replicas.push({ replicas: n, cpuCap, notRun: `failed: ${error}` });
        }
      }
    }
  }
  if (wants(opts, 'profile') && opts.profile) {
    log('profile: --cpu-prof on every process, Redis MONITOR');
    r.profile = await runHotPathProfile(ctx, opts.quick ? 200 : 300).catch((err: Error) => {
      log(`  profile failed: ${err.message.split('\n')[0]}`);
      return undefined;
    });
  }

  const seconds = (performance.now() - t0) / 1000;
  const figures = buildFigures(opts, r);
  process.stdout.write(`\n${consoleTable(figures)}\n\nwhole run: ${fmt(seconds, 0)} s\n`);
  if (opts.out) {
    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    writeReport(resolve(ROOT, opts.out), renderGenerated({ machine, command, startedAt, seconds, figures, r }));
    process.stdout.write(`written to ${opts.out}\n`);
  }
}

/** Ctrl-C or SIGTERM: the apps this run started (its direct children) stop with it. */
function stopChildrenOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of ownChildren()) process.kill(child, 'SIGTERM');
      process.exit(130);
    });
  }
}

function ownChildren(): number[] {
  try {
    return execSync(`pgrep -P ${process.pid}`).toString().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
