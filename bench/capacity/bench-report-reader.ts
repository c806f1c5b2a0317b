import { BEGIN, END } from '../report/markdown-report';
import { ConvergenceCost, MeasuredCosts, ServiceMs } from './measured-costs';

/** What a newer bench report replaced in the costs, and what it did not carry. */
export interface ReportReading {
  costs: MeasuredCosts;
  taken: string[];
  kept: string[];
}

/**
 * The bench writes its figures only as the generated block of docs/benchmarks.md (bench/report/
 * markdown-report.ts), so a newer run is read back from there: every figure found replaces the
 * costs file's, the rest (statements per command, row sizes: not in the block) stay and are named.
 */
export function readBenchReport(markdown: string, base: MeasuredCosts): ReportReading {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error('no generated bench block (bench:begin … bench:end) in the report');
  const block = markdown.slice(start, end);
  const costs: MeasuredCosts = structuredClone(base);
  const taken: string[] = [];
  const kept: string[] = [];
  const take = <T>(name: string, value: T | undefined, set: (v: T) => void) => {
    if (value === undefined) kept.push(name);
    else {
      set(value);
      taken.push(name);
    }
  };

  const meta = (key: string) => new RegExp(`^- ${key}: (.*)$`, 'm').exec(block)?.[1];
  take('source', meta('date'), (date) => {
    costs.source = { date, command: (meta('command') ?? '').replace(/`/g, ''), file: 'docs/benchmarks.md, generated block', machine: meta('machine') ?? '' };
  });
  take('cpuMsPerCreate', serviceFigures(/CPU ms per command, ours \(([^)]*)\)/.exec(block)?.[1]), (v) => (costs.cpuMsPerCreate = v));
  take('convergence', convergenceRuns(block), (v) => (costs.convergence = v));
  const redis = /Redis commands per CREATE: BullMQ \/ relay \| ([\d.]+) \/ ([\d.]+)/.exec(block);
  take('redisCommandsPerCreate', redis ? { bullmq: Number(redis[1]), relay: Number(redis[2]) } : undefined, (v) => (costs.redisCommandsPerCreate = v));
  const agent = /agent RSS, (\d+) connections measured \(idle ([\d.]+) MB\) \| ([\d.]+) MB/.exec(block);
  const chat = /chat RSS, \d+ connections measured \(idle ([\d.]+) MB\) \| ([\d.]+) MB/.exec(block);
  const heap = /V8 heap in use at that point[^|]*\| ([\d.]+) \/ ([\d.]+) MB/.exec(block);
  take('memory', agent && chat && heap ? { connections: Number(agent[1]), agentIdleMb: Number(agent[2]), agentMb: Number(agent[3]), chatIdleMb: Number(chat[1]), chatMb: Number(chat[2]), agentHeapMb: Number(heap[1]), chatHeapMb: Number(heap[2]) } : undefined, (v) => (costs.memory = v));
  const scan = /chat: reconciler unfinished connections[^`]*`[^`]*Execution Time: ([\d.]+) ms`/.exec(block);
  take('scanPlan', scan ? { ...costs.scanPlan, ms: Number(scan[1]), connections: costs.memory.connections } : undefined, (v) => (costs.scanPlan = v));
  kept.push('postgresStatementsPerCreate', 'rowBytes');
  return { costs: MeasuredCosts.parse(costs), taken, kept };
}

/** "chat 3.1, agent 2.7, relays 2.1, postgres 3.1" (the bench names the relays in the plural). */
function serviceFigures(text: string | undefined): ServiceMs | undefined {
  if (!text) return undefined;
  const get = (name: string) => Number(new RegExp(`\\b${name}s? ([\\d.]+)`).exec(text)?.[1]);
  const v = { chat: get('chat'), agent: get('agent'), relay: get('relay'), postgres: get('postgres') };
  return Object.values(v).every(Number.isFinite) ? v : undefined;
}

/** Section 4's "host + N, F%: C chat commands per pair | CPU ms/pair …" rows, with the pairs of the runs table. */
function convergenceRuns(block: string): ConvergenceCost[] | undefined {
  const runs: ConvergenceCost[] = [];
  for (const m of block.matchAll(/\| host \+ (\d+), (\d+)%: ([\d.]+) chat commands per pair \| CPU ms\/pair ([^(|]*)/g)) {
    const members = Number(m[1]);
    const percent = m[2];
    const cpu = serviceFigures(m[4]);
    const pairs = new RegExp(`^\\| ${members} \\| ${percent}% \\| (\\d+)/(\\d+) \\|`, 'm').exec(block);
    if (!cpu || !pairs) continue;
    runs.push({ members, faultRate: Number(percent) / 100, pairsReached: Number(pairs[1]), pairsTotal: Number(pairs[2]), chatCommandsPerPair: Number(m[3]), cpuMsPerPair: cpu });
  }
  return runs.length > 0 ? runs : undefined;
}
