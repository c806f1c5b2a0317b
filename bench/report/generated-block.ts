import { cpuPerPairLine } from '../scenarios/group-convergence';
import { measured, singlePairOf } from '../scenarios/replica-scaling';
import { converged, cpuPerPairInNaiveCommands } from './bench-figures';
import { Figure, fmt } from './figure';
import { markdownTable } from './markdown-report';
import { Results, naiveCpuMsPerCommand } from './results';

/** The block between docs/benchmarks.md's markers: the table, then the detail of each section. */
export function renderGenerated(p: { machine: string; command: string; startedAt: Date; seconds: number; figures: Figure[]; r: Results }): string {
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
  out.push(...convergenceSection(r), ...replicaSection(r), ...timingsSection(r), ...profileSection(r));
  if (r.plans.length) {
    out.push(`### Hot query plans (EXPLAIN on the memory run's database)`, '');
    for (const q of r.plans) out.push(`- ${q.what}: \`${q.summary}\``);
    out.push('');
  }
  return out.join('\n');
}

function convergenceSection(r: Results): string[] {
  if (!r.convergence.length) return [];
  const naiveCpu = naiveCpuMsPerCommand(r);
  const out = [
    '### Group convergence runs',
    '',
    `CPU per pair in naive-peer commands: all processes' CPU ms per pair ÷ the naive peer's ${fmt(naiveCpu, 2)} CPU ms per command in this run.`,
    '',
    '| members | faults | pairs | time to full mesh (cut) | pairs/s | s per member | setup (contacts, invitations) | chat commands pending at the end | CPU ms per pair | CPU per pair in naive-peer commands |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.convergence) {
    const done = converged(c);
    const time = done ? `${fmt(c.seconds)} s` : c.error ? `run failed: ${c.error.replace(/\|/g, '/')}` : 'not within the run\'s limit';
    const cpu = c.cpuMsPerPair && c.chatCommands ? cpuPerPairLine(c.cpuMsPerPair, c.chatCommands / Math.max(1, c.pairsReached)) : 'n/a';
    const naive = c.cpuMsPerPair && c.pairsReached ? fmt(cpuPerPairInNaiveCommands(c, naiveCpu), 1) : 'n/a';
    out.push(`| ${c.members} | ${fmt(c.faultRate * 100, 0)}% | ${c.pairsReached}/${c.pairs} | ${time} (${fmt(c.timeoutMs / 1000, 0)} s) | ${done ? fmt(c.pairs / c.seconds, 1) : 'n/a'} | ${done ? fmt(c.seconds / c.members, 2) : 'n/a'} | ${fmt(c.setupSeconds)} s | ${c.pendingAtEnd} | ${cpu} | ${naive} |`);
  }
  out.push('');
  for (const [members, path] of [...r.charts.entries()].sort((a, b) => b[0] - a[0])) {
    out.push(`![host + ${members} members: pairs connected over time, one line per fault rate](${path})`, '');
  }
  return out;
}

function replicaSection(r: Results): string[] {
  if (!r.replicas.length) return [];
  const out = [
    '### Replicas: n agents + n chats on one Redis and one Postgres (issue 13)',
    '',
    'The throughput run\'s closed-loop CREATE load, spread round-robin over the chats\' URLs; a fresh system per row.',
    'CPU busy: this system\'s processes (agents, chats, relays, its Postgres backends) and the whole machine (/proc/stat, other work included), as a share of all cores; near 100% the machine, not the code, is the ceiling.',
    'Capped rows give each agent and each chat its own CPU quota (a cgroup, bench/measure/cpu-cap.ts), as if each ran on a small machine of its own: uncapped, one pair already fills this machine, so only the capped rows can show whether a replica adds throughput. Scaling is against the 1 + 1 row of the same cap.',
    '',
    '| agents + chats | cores per agent / chat | commands/s | scaling vs 1 + 1 | CPU ms per command (chat, agent, relays, postgres) | CPU busy: system / machine |',
    '|---|---|---|---|---|---|',
  ];
  for (const x of r.replicas) {
    const cap = x.cpuCap > 0 ? String(x.cpuCap) : 'uncapped';
    if (!measured(x)) {
      out.push(`| ${x.replicas} + ${x.replicas} | ${cap} | not measured: ${x.notRun.replace(/\|/g, '/')} | | | |`);
      continue;
    }
    const one = singlePairOf(r.replicas, x);
    const parts = Object.entries(x.run.cpuMsPerCommand ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    out.push(`| ${x.replicas} + ${x.replicas} | ${cap} | ${fmt(x.run.perSecond, 0)} | ${one ? `×${fmt(x.run.perSecond / one.run.perSecond, 2)}` : 'n/a'} | ${fmt(x.cpuMsPerCommand)} (${parts}) | ${fmt(x.systemShare * 100, 0)}% / ${fmt(x.machineShare * 100, 0)}% of ${x.cores} cores |`);
  }
  out.push('');
  return out;
}

function timingsSection(r: Results): string[] {
  if (!r.timings.length) return [];
  const out = ['### Commands of the throughput/latency/memory system, per function (chat.commands timestamps)', '', '| function | count | p50 | p99 | max | re-published | pending | failed |', '|---|---|---|---|---|---|---|---|'];
  for (const t of r.timings) out.push(`| ${t.function} | ${t.count} | ${fmt(t.p50Ms, 0)} ms | ${fmt(t.p99Ms, 0)} ms | ${fmt(t.maxMs, 0)} ms | ${t.republished} | ${t.pending} | ${t.failed} |`);
  out.push('');
  return out;
}

function profileSection(r: Results): string[] {
  if (!r.profile) return [];
  const out = [`### CPU profiles (${r.profile.commands} CREATEs at ${fmt(r.profile.perSecond, 0)}/s, --cpu-prof)`, ''];
  for (const c of r.profile.cpu) {
    out.push(`- **${c.app}** busy ${fmt(c.busySeconds)} s: ${c.byPackage.map((s) => `${s.name} ${fmt(s.percent, 0)}%`).join(', ')}`);
    out.push(`  - top functions: ${c.topFunctions.slice(0, 5).map((s) => `\`${s.name}\` ${fmt(s.percent, 0)}%`).join(', ')}`);
  }
  out.push('', '### Redis commands per CREATE (MONITOR, this system\'s keys only)', '', '| issued for | command | per CREATE |', '|---|---|---|');
  for (const c of r.profile.redisPerCommand.slice(0, 12)) out.push(`| ${c.owner} | ${c.command} | ${fmt(c.perCommand, 2)} |`);
  out.push('');
  return out;
}
