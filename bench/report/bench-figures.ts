import { BenchOptions } from '../bench-options';
import { MEMORY_TARGET_CONNECTIONS } from '../scenarios/connection-memory';
import { ConvergenceRun, cpuMsPerPairTotal, cpuPerPairLine } from '../scenarios/group-convergence';
import { measured, singlePairOf } from '../scenarios/replica-scaling';
import { Figure, fmt } from './figure';
import { Results, cpuTotal, mean, naiveCpuMsPerCommand } from './results';
import { TARGETS, convergenceTargetSeconds } from './targets';

/** The report table: every figure of the run, issue 12's targets with PASS/MISS. */
export function buildFigures(opts: BenchOptions, r: Results): Figure[] {
  return [...throughputFigures(opts, r), ...latencyFigures(r), ...convergenceFigures(opts, r), ...recoveryAndMemoryFigures(r), ...replicaFigures(r), ...profileFigures(r)];
}

function throughputFigures(opts: BenchOptions, r: Results): Figure[] {
  const f: Figure[] = [];
  const baseline = mean(r.baseline.map((b) => b.perSecond));
  if (r.baseline.length) {
    f.push({ section: '1 baseline', name: `naive peer commands/s, 20 users, ${opts.concurrency} callers (runs before/after ours)`, value: r.baseline.map((b) => fmt(b.perSecond, 0)).join(' / ') });
  }
  if (r.baselineSingleUser.length) {
    f.push({ section: '1 baseline', name: `naive peer commands/s, one user, ${opts.singleUserConcurrency} callers (runs before/after ours)`, value: r.baselineSingleUser.map((b) => fmt(b.perSecond, 0)).join(' / ') });
  }
  const naiveCpu = naiveCpuMsPerCommand(r);
  if (Number.isFinite(naiveCpu)) f.push({ section: '1 baseline', name: 'naive peer CPU ms per command (node + postgres, 20-user runs): the unit of "naive-peer commands"', value: fmt(naiveCpu, 2) });
  if (r.ours) {
    f.push({ section: '2 throughput', name: `ours CREATE commands/s (${r.ours.commands}, 20 users, ${opts.concurrency} concurrent)`, value: fmt(r.ours.perSecond, 0) });
    const ratio = r.ours.perSecond / baseline;
    f.push({ section: '2 throughput', name: 'ours / baseline (mean of both baseline runs)', value: fmt(ratio, 2), target: `>= ${fmt(TARGETS.throughputRatio)}`, pass: ratio >= TARGETS.throughputRatio });
    const ourCpu = cpuTotal(r.ours);
    if (ourCpu > 0 && naiveCpu > 0) {
      const parts = Object.entries(r.ours.cpuMsPerCommand ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
      f.push({ section: '2 throughput', name: `CPU ms per command, ours (${parts}) / baseline (node + postgres)`, value: `${fmt(ourCpu)} / ${fmt(naiveCpu)} = ×${fmt(ourCpu / naiveCpu, 1)}` });
    }
  }
  if (r.oursSingleUser) {
    const one = r.oursSingleUser;
    f.push({ section: '2 throughput', name: `single user: ours CREATE commands/s (${one.commands} by one user, ${opts.singleUserConcurrency} callers)`, value: fmt(one.perSecond, 0) });
    const ratio = one.perSecond / mean(r.baselineSingleUser.map((b) => b.perSecond));
    f.push({ section: '2 throughput', name: 'single user: ours / naive peer driven the same way (mean of both its runs)', value: fmt(ratio, 2), target: `>= ${fmt(TARGETS.singleUserRatio)}`, pass: ratio >= TARGETS.singleUserRatio });
    if (r.ours) f.push({ section: '2 throughput', name: 'single user / 20 users, ours (commands/s)', value: fmt(one.perSecond / r.ours.perSecond, 2) });
    if (cpuTotal(one) > 0) f.push({ section: '2 throughput', name: 'single user: CPU ms per command, ours', value: fmt(cpuTotal(one)) });
  }
  if (r.crypto) {
    const c = r.crypto;
    f.push({
      section: '2 throughput',
      name: 'crypto CPU per command (node:crypto, in-process): CREATE / JOIN / 1 KiB message sent+verified+opened+acked',
      value: `${fmt(c.createUs, 0)} / ${fmt(c.joinUs, 0)} / ${fmt(c.messageUs, 0)} µs`,
    });
  }
  return f;
}

function latencyFigures(r: Results): Figure[] {
  const f: Figure[] = [];
  if (r.unloaded) {
    f.push({ section: '3 latency', name: `unloaded p50 (n=${r.unloaded.n})`, value: `${fmt(r.unloaded.p50)} ms`, target: `< ${TARGETS.unloadedP50Ms} ms`, pass: r.unloaded.p50 < TARGETS.unloadedP50Ms });
    f.push({ section: '3 latency', name: 'unloaded p99', value: `${fmt(r.unloaded.p99)} ms`, target: `< ${TARGETS.unloadedP99Ms} ms`, pass: r.unloaded.p99 < TARGETS.unloadedP99Ms });
  }
  if (r.loaded) {
    f.push({ section: '3 latency', name: `at 50% of peak (${fmt(r.loaded.rate, 0)}/s, n=${r.loaded.dist.n}) p50 / p99`, value: `${fmt(r.loaded.dist.p50)} / ${fmt(r.loaded.dist.p99)} ms` });
  }
  return f;
}

export const converged = (c: ConvergenceRun): boolean => !Number.isNaN(c.seconds);

/** CPU ms per pair (all processes) in units of the naive peer's CPU per command of the same run. */
export function cpuPerPairInNaiveCommands(c: ConvergenceRun, naiveCpuMs: number): number {
  return cpuMsPerPairTotal(c.cpuMsPerPair) / naiveCpuMs;
}

function convergenceFigures(opts: BenchOptions, r: Results): Figure[] {
  const f: Figure[] = [];
  const naiveCpu = naiveCpuMsPerCommand(r);
  const conv = (n: number, rate: number) => r.convergence.find((c) => c.members === n && c.faultRate === rate);
  for (const c of r.convergence) {
    const rate = fmt(c.faultRate * 100, 0);
    const value = converged(c)
      ? `${fmt(c.seconds)} s, ${fmt(c.pairs / c.seconds, 1)} pairs/s, ${fmt(c.seconds / c.members, 2)} s/member`
      : c.error
        ? 'run failed (see below)'
        : `> ${fmt(c.timeoutMs / 1000, 0)} s (${c.pairsReached}/${c.pairs} pairs)`;
    const target = convergenceTargetSeconds(c.members, c.faultRate);
    f.push({
      section: '4 convergence',
      name: `host + ${c.members} members, ${rate}% faults: time to full mesh`,
      value,
      ...(target !== undefined ? { target: `< ${target} s`, pass: converged(c) && c.seconds < target } : {}),
    });
    if (c.cpuMsPerPair && c.chatCommands && c.pairsReached) {
      f.push({ section: '4 convergence', name: `host + ${c.members}, ${rate}%: ${fmt(c.chatCommands / c.pairsReached)} chat commands per pair`, value: cpuPerPairLine(c.cpuMsPerPair, c.chatCommands / c.pairsReached) });
      const inNaive = cpuPerPairInNaiveCommands(c, naiveCpu);
      const targeted = c.members === TARGETS.cpuPerPairMembers && c.faultRate === 0;
      f.push({
        section: '4 convergence',
        name: `host + ${c.members}, ${rate}%: CPU per pair in naive-peer commands (${fmt(cpuMsPerPairTotal(c.cpuMsPerPair))} ms ÷ ${fmt(naiveCpu, 2)} ms${converged(c) ? '' : '; pairs reached by the cut'})`,
        value: fmt(inNaive, 1),
        ...(targeted ? { target: `<= ${TARGETS.cpuPerPairNaiveCommands}`, pass: inNaive <= TARGETS.cpuPerPairNaiveCommands } : {}),
      });
    }
  }
  for (const n of opts.groupSizes) {
    const [a, b] = [conv(n, 0), conv(n, 0.3)];
    if (!a || !b) continue;
    // An unconverged 30% run still bounds the ratio from below: T(30%) > its cut.
    const value = converged(a) && converged(b) ? fmt(b.seconds / a.seconds, 2) : converged(a) && !b.error ? `> ${fmt(b.timeoutMs / 1000 / a.seconds, 2)}` : 'n/a';
    const ratio = converged(a) && converged(b) ? b.seconds / a.seconds : NaN;
    const targeted = n === TARGETS.faultSlowdownMembers;
    f.push({
      section: '4 convergence',
      name: `T(30%) / T(0%), ${n} members`,
      value,
      ...(targeted ? { target: `<= ${fmt(TARGETS.faultSlowdown)}`, pass: ratio <= TARGETS.faultSlowdown } : {}),
    });
  }
  for (const rate of opts.faultRates) {
    const runs = opts.groupSizes.map((n) => conv(n, rate)).filter((c): c is ConvergenceRun => !!c && converged(c));
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
  return f;
}

function recoveryAndMemoryFigures(r: Results): Figure[] {
  const f: Figure[] = [];
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
  return f;
}

function replicaFigures(r: Results): Figure[] {
  return r.replicas.flatMap((x): Figure[] => {
    const cap = x.cpuCap > 0 ? `, each capped at ${x.cpuCap} cores` : '';
    const label = `${x.replicas} agent${x.replicas > 1 ? 's' : ''} + ${x.replicas} chat${x.replicas > 1 ? 's' : ''}${cap}`;
    if (!measured(x)) return [{ section: '7 replicas', name: `${label}: not measured`, value: x.notRun }];
    const one = singlePairOf(r.replicas, x);
    const scaling = one ? ` (×${fmt(x.run.perSecond / one.run.perSecond, 2)} vs 1 + 1)` : '';
    return [
      { section: '7 replicas', name: `${label}: CREATE commands/s (${x.run.commands}, 20 users, round-robin over the chats)`, value: `${fmt(x.run.perSecond, 0)}${scaling}` },
      { section: '7 replicas', name: `${label}: CPU ms per command, all processes`, value: fmt(x.cpuMsPerCommand) },
      { section: '7 replicas', name: `${label}: CPU busy over the run, this system / the whole machine (${x.cores} cores)`, value: `${fmt(x.systemShare * 100, 0)}% / ${fmt(x.machineShare * 100, 0)}%` },
    ];
  });
}

function profileFigures(r: Results): Figure[] {
  if (!r.profile) return [];
  return [{ section: 'profile', name: 'Redis commands per CREATE: BullMQ / relay', value: `${fmt(r.profile.redisTotals.bullmq, 1)} / ${fmt(r.profile.redisTotals.relay, 1)}` }];
}
