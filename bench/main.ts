import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BenchOptions, parseBenchOptions, wants } from './bench-options';
import { agentAttempts, commandTimings } from './measure/command-timings';
import { CryptoCost, measureCryptoCost } from './measure/crypto-cost';
import { residentMb } from './measure/process-memory';
import { Distribution } from './measure/distribution';
import { ThroughputRun } from './measure/load-driver';
import { explainHotQueries, QueryPlan } from './profile/query-plans';
import { Figure, fmt } from './report/figure';
import { describeMachine } from './report/machine';
import { consoleTable, markdownTable, writeReport } from './report/markdown-report';
import { runAgentRecovery, RecoveryRun } from './scenarios/agent-recovery';
import { BenchContext } from './scenarios/bench-context';
import { createUsers, runBaselineThroughput, runOurThroughput } from './scenarios/command-throughput';
import { MEMORY_TARGET_CONNECTIONS, MemoryRun, runConnectionMemory } from './scenarios/connection-memory';
import { ConvergenceRun, cpuPerPairLine, runGroupConvergence } from './scenarios/group-convergence';
import { HotPathProfile, runHotPathProfile } from './scenarios/hot-path-profile';
import { runLoadedLatency, runUnloadedLatency } from './scenarios/round-trip-latency';
import { benchOutputDir, startBenchSystem } from './system/bench-system';
import { repoRoot, rerunFromSnapshot } from './system/dist-snapshot';

const ROOT = repoRoot();

/** How long a group may take before the run gives up on it (keeps the whole run under 10 minutes). */
function convergenceTimeoutMs(members: number, quick: boolean): number {
  if (quick) return 40_000;
  // 60 s is the target for 50 members at 30%; beyond it the figure is a MISS whatever the time.
  return members >= 50 ? 60_000 : 45_000;
}

interface Results {
  baseline: ThroughputRun[];
  ours?: ThroughputRun;
  crypto?: CryptoCost;
  unloaded?: Distribution;
  loaded?: { rate: number; dist: Distribution };
  recovery?: RecoveryRun;
  recoveryTwoAgents?: RecoveryRun;
  memory?: MemoryRun;
  plans: QueryPlan[];
  timings: Awaited<ReturnType<typeof commandTimings>>;
  convergence: ConvergenceRun[];
  profile?: HotPathProfile;
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
  const r: Results = { baseline: [], plans: [], timings: [], convergence: [] };

  if (wants(opts, 'baseline') || wants(opts, 'throughput')) {
    log('1. baseline (naive peer)');
    r.baseline.push(await runBaselineThroughput(ctx));
  }
  const commandScenarios = (['throughput', 'latency', 'recovery', 'memory'] as const).filter((s) => wants(opts, s));
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
  if (r.ours && (wants(opts, 'baseline') || wants(opts, 'throughput'))) {
    log('1. baseline again (noise check: ours is measured between two baseline runs)');
    r.baseline.push(await runBaselineThroughput(ctx));
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
          r.convergence.push({ members, faultRate: rate, pairs: ((members + 1) * members) / 2, seconds: NaN, pairsReached: 0, setupSeconds: NaN, pendingAtEnd: NaN, error });
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

function buildFigures(opts: BenchOptions, r: Results): Figure[] {
  const f: Figure[] = [];
  const baseline = r.baseline.length ? r.baseline.reduce((s, b) => s + b.perSecond, 0) / r.baseline.length : NaN;
  if (r.baseline.length) {
    f.push({ section: '1 baseline', name: 'naive peer commands/s (runs before/after ours)', value: r.baseline.map((b) => fmt(b.perSecond, 0)).join(' / ') });
  }
  if (r.ours) {
    f.push({ section: '2 throughput', name: `ours CREATE commands/s (${r.ours.commands}, ${opts.concurrency} concurrent)`, value: fmt(r.ours.perSecond, 0) });
    const ratio = r.ours.perSecond / baseline;
    f.push({ section: '2 throughput', name: 'ours / baseline (mean of both baseline runs)', value: fmt(ratio, 2), target: '>= 1.0', pass: ratio >= 1 });
    const cpuTotal = (run?: ThroughputRun) => Object.values(run?.cpuMsPerCommand ?? {}).reduce((s, v) => s + v, 0);
    const baseCpu = r.baseline.reduce((s, b) => s + cpuTotal(b), 0) / Math.max(1, r.baseline.length);
    const ourCpu = cpuTotal(r.ours);
    if (ourCpu > 0 && baseCpu > 0) {
      const parts = Object.entries(r.ours.cpuMsPerCommand ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
      f.push({ section: '2 throughput', name: `CPU ms per command, ours (${parts}) / baseline (node + postgres)`, value: `${fmt(ourCpu)} / ${fmt(baseCpu)} = ×${fmt(ourCpu / baseCpu, 1)}` });
    }
  }
  if (r.crypto) {
    const c = r.crypto;
    f.push({
      section: '2 throughput',
      name: 'crypto CPU per command (node:crypto, in-process): CREATE / JOIN / 1 KiB message sent+verified+opened+acked',
      value: `${fmt(c.createUs, 0)} / ${fmt(c.joinUs, 0)} / ${fmt(c.messageUs, 0)} µs`,
    });
  }
  if (r.unloaded) {
    f.push({ section: '3 latency', name: `unloaded p50 (n=${r.unloaded.n})`, value: `${fmt(r.unloaded.p50)} ms`, target: '< 10 ms', pass: r.unloaded.p50 < 10 });
    f.push({ section: '3 latency', name: 'unloaded p99', value: `${fmt(r.unloaded.p99)} ms`, target: '< 50 ms', pass: r.unloaded.p99 < 50 });
  }
  if (r.loaded) {
    f.push({ section: '3 latency', name: `at 50% of peak (${fmt(r.loaded.rate, 0)}/s, n=${r.loaded.dist.n}) p50 / p99`, value: `${fmt(r.loaded.dist.p50)} / ${fmt(r.loaded.dist.p99)} ms` });
  }
  const conv = (n: number, rate: number) => r.convergence.find((c) => c.members === n && c.faultRate === rate);
  for (const c of r.convergence) {
    const done = !Number.isNaN(c.seconds);
    const value = done
      ? `${fmt(c.seconds)} s, ${fmt(c.pairs / c.seconds, 1)} pairs/s, ${fmt(c.seconds / c.members, 2)} s/member`
      : c.error
        ? 'run failed (see below)'
        : `> ${fmt(convergenceTimeoutMs(c.members, opts.quick) / 1000, 0)} s (${c.pairsReached}/${c.pairs} pairs)`;
    const is50at30 = c.members === 50 && c.faultRate > 0.29 && c.faultRate < 0.31;
    f.push({
      section: '4 convergence',
      name: `host + ${c.members} members, ${fmt(c.faultRate * 100, 0)}% faults: time to full mesh`,
      value,
      ...(is50at30 ? { target: '< 60 s', pass: done && c.seconds < 60 } : {}),
    });
    if (c.cpuMsPerPair && c.chatCommands && c.pairsReached) {
      f.push({ section: '4 convergence', name: `host + ${c.members}, ${fmt(c.faultRate * 100, 0)}%: ${fmt(c.chatCommands / c.pairsReached)} chat commands per pair`, value: cpuPerPairLine(c.cpuMsPerPair, c.chatCommands / c.pairsReached) });
    }
  }
  for (const n of opts.groupSizes) {
    const [a, b] = opts.faultRates.length >= 2 ? [conv(n, opts.faultRates[0]), conv(n, opts.faultRates[opts.faultRates.length - 1])] : [undefined, undefined];
    if (!a || !b || a === b) continue;
    const ratio = b.seconds / a.seconds;
    f.push({ section: '4 convergence', name: `T(${fmt(b.faultRate * 100, 0)}%) / T(${fmt(a.faultRate * 100, 0)}%), ${n} members`, value: fmt(ratio, 2), target: '<= 2.0', pass: ratio <= 2 });
  }
  for (const rate of opts.faultRates) {
    const runs = opts.groupSizes.map((n) => conv(n, rate)).filter((c): c is ConvergenceRun => !!c && !Number.isNaN(c.seconds));
    if (runs.length < 2) continue;
    const [small, large] = [runs[0], runs[runs.length - 1]];
    // Linear growth of time per member: (T/n) grows at most in proportion to n.
    const growth = large.seconds / large.members / (small.seconds / small.members);
    const linear = large.members / small.members;
    f.push({
      section: '4 convergence',
      name: `time per member growth ${small.members}→${large.members} at ${fmt(rate * 100, 0)}%`,
      value: `×${fmt(growth, 2)}`,
      target: `<= ×${fmt(linear, 1)} (linear)`,
      pass: growth <= linear,
    });
  }
  if (r.recovery) {
    f.push({ section: '5 recovery', name: 'one agent: kill -9 → next command completed (agent restarted at once)', value: `${fmt(r.recovery.nextCompletedSeconds, 2)} s`, target: '< 5 s', pass: r.recovery.nextCompletedSeconds < 5 });
    f.push({ section: '5 recovery', name: `kill -9 → all ${r.recovery.inFlight} in-flight commands completed`, value: `${fmt(r.recovery.inFlightCompletedSeconds, 2)} s` });
    f.push({ section: '5 recovery', name: 'kill -9 → restarted agent healthy', value: `${fmt(r.recovery.restartSeconds, 2)} s` });
    f.push({ section: '5 recovery', name: 'kill -9 → new agent journals / completes that command', value: `${fmt(r.recovery.agentSawSeconds, 2)} / ${fmt(r.recovery.agentCompletedSeconds, 2)} s` });
  }
  if (r.recoveryTwoAgents) {
    const t = r.recoveryTwoAgents;
    f.push({ section: '5 recovery', name: 'two agents: kill -9 of one → next command completed', value: `${fmt(t.nextCompletedSeconds, 2)} s`, target: '< 5 s', pass: t.nextCompletedSeconds < 5 });
    f.push({ section: '5 recovery', name: `two agents: kill -9 of one → all ${t.inFlight} in-flight commands completed`, value: `${fmt(t.inFlightCompletedSeconds, 2)} s` });
  }
  if (r.memory) {
    const m = r.memory;
    const measured = m.connections >= MEMORY_TARGET_CONNECTIONS;
    f.push({ section: '6 memory', name: `agent RSS, ${m.connections} connections measured (idle ${fmt(m.agentIdleMb, 0)} MB)`, value: `${fmt(m.agentMb, 0)} MB`, ...(measured ? { target: '< 200 MB', pass: m.agentMb < 200 } : {}) });
    f.push({ section: '6 memory', name: `chat RSS, ${m.connections} connections measured (idle ${fmt(m.chatIdleMb, 0)} MB)`, value: `${fmt(m.chatMb, 0)} MB` });
    f.push({ section: '6 memory', name: 'V8 heap in use at that point (/metrics): agent / chat', value: `${fmt(m.agentHeapMb, 0)} / ${fmt(m.chatHeapMb, 0)} MB` });
    if (!measured) {
      f.push({ section: '6 memory', name: `agent RSS at 10k connections (slope ${fmt(m.warm.connections, 0)}→${m.connections} connections: ${fmt(m.warm.agentMb, 0)}→${fmt(m.agentMb, 0)} MB)`, value: `${fmt(m.agentAt10kMb, 0)} MB`, target: '< 200 MB', pass: m.agentAt10kMb < 200 });
      f.push({ section: '6 memory', name: `chat RSS at 10k connections (same slope method: ${fmt(m.warm.chatMb, 0)}→${fmt(m.chatMb, 0)} MB)`, value: `${fmt(m.chatAt10kMb, 0)} MB` });
    }
  }
  if (r.profile) {
    f.push({ section: 'profile', name: 'Redis commands per CREATE: BullMQ / relay', value: `${fmt(r.profile.redisTotals.bullmq, 1)} / ${fmt(r.profile.redisTotals.relay, 1)}` });
  }
  return f;
}

function renderGenerated(p: { machine: string; command: string; startedAt: Date; seconds: number; figures: Figure[]; r: Results }): string {
  const { r } = p;
  const out: string[] = [
    `## Latest run`,
    '',
    `- date: ${p.startedAt.toISOString()}`,
    `- command: \`${p.command}\` (whole run ${fmt(p.seconds, 0)} s)`,
    `- machine: ${p.machine}`,
    `- completion is seen by polling the chat's \`commands\` table with pg (1 ms interval for latency, 10 ms for throughput); the chat offers no push of completions.`,
    '',
    markdownTable(p.figures),
    '',
  ];
  if (r.convergence.length) {
    out.push('### Group convergence runs', '', '| members | faults | pairs | time to full mesh | pairs/s | s per member | setup (contacts, invitations) | chat commands pending at the end | CPU ms per pair |', '|---|---|---|---|---|---|---|---|---|');
    for (const c of r.convergence) {
      const done = !Number.isNaN(c.seconds);
      out.push(`| ${c.members} | ${fmt(c.faultRate * 100, 0)}% | ${c.pairsReached}/${c.pairs} | ${done ? `${fmt(c.seconds)} s` : c.error ? `run failed: ${c.error.replace(/\|/g, '/')}` : 'not within the run\'s limit'} | ${done ? fmt(c.pairs / c.seconds, 1) : 'n/a'} | ${done ? fmt(c.seconds / c.members, 2) : 'n/a'} | ${fmt(c.setupSeconds)} s | ${c.pendingAtEnd} | ${c.cpuMsPerPair && c.chatCommands ? cpuPerPairLine(c.cpuMsPerPair, c.chatCommands / Math.max(1, c.pairsReached)) : 'n/a'} |`);
    }
    out.push('');
  }
  if (r.timings.length) {
    out.push('### Commands of the throughput/latency/memory system, per function (chat.commands timestamps)', '', '| function | count | p50 | p99 | max | re-published | pending | failed |', '|---|---|---|---|---|---|---|---|');
    for (const t of r.timings) out.push(`| ${t.function} | ${t.count} | ${fmt(t.p50Ms, 0)} ms | ${fmt(t.p99Ms, 0)} ms | ${fmt(t.maxMs, 0)} ms | ${t.republished} | ${t.pending} | ${t.failed} |`);
    out.push('');
  }
  if (r.profile) {
    out.push(`### CPU profiles (${r.profile.commands} CREATEs at ${fmt(r.profile.perSecond, 0)}/s, --cpu-prof)`, '');
    for (const c of r.profile.cpu) {
      out.push(`- **${c.app}** busy ${fmt(c.busySeconds)} s: ${c.byPackage.map((s) => `${s.name} ${fmt(s.percent, 0)}%`).join(', ')}`);
      out.push(`  - top functions: ${c.topFunctions.slice(0, 5).map((s) => `\`${s.name}\` ${fmt(s.percent, 0)}%`).join(', ')}`);
    }
    out.push('', '### Redis commands per CREATE (MONITOR, this system\'s keys only)', '', '| issued for | command | per CREATE |', '|---|---|---|');
    for (const c of r.profile.redisPerCommand.slice(0, 12)) out.push(`| ${c.owner} | ${c.command} | ${fmt(c.perCommand, 2)} |`);
    out.push('');
  }
  if (r.plans.length) {
    out.push(`### Hot query plans (EXPLAIN on the memory run's database)`, '');
    for (const q of r.plans) out.push(`- ${q.what}: \`${q.summary}\``);
    out.push('');
  }
  return out.join('\n');
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
