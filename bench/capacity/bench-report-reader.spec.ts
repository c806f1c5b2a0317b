import { BEGIN, END } from '../report/markdown-report';
import { readBenchReport } from './bench-report-reader';
import { loadMeasuredCosts } from './measured-costs';
import { parseSimulateOptions } from './simulate-options';

/** Lines of a generated block as bench/main.ts writes them (the run of 2026-11-26, figures changed). */
const BLOCK = [
  BEGIN,
  '## Latest run',
  '',
  '- date: 2027-01-02T03:04:05.000Z',
  '- command: `npm run bench` (whole run 400 s)',
  '- machine: 4 cores (test), 8 GB RAM',
  '',
  '| section | figure | value | target | |',
  '|---|---|---|---|---|',
  '| 2 throughput | CPU ms per command, ours (chat 1.5, agent 2.5, relays 3.5, postgres 4.5) / baseline (node + postgres) | 12.0 / 2.0 = ×6.0 |  |  |',
  '| 4 convergence | host + 10, 0%: 14.0 chat commands per pair | CPU ms/pair chat 40.0, agent 60.0, relays 50.0, postgres 70.0 (total 220.0); chat 2.86 ms/command |  |  |',
  '| 4 convergence | host + 50, 30%: 90.0 chat commands per pair | CPU ms/pair chat 1.0, agent 2.0, relays 3.0, postgres 4.0 (total 10.0); chat 0.01 ms/command |  |  |',
  '| profile | Redis commands per CREATE: BullMQ / relay | 70.5 / 5.5 |  |  |',
  '',
  '| members | faults | pairs | time to full mesh |',
  '|---|---|---|---|',
  '| 10 | 0% | 55/55 | 7.0 s |',
  '| 50 | 30% | 95/1275 | not within the run\'s limit |',
  '',
  '- chat: reconciler unfinished connections (every RECONCILE_STALE_MS): `HashAggregate (actual time=1..2 rows=20 loops=1); Execution Time: 20.000 ms`',
  END,
].join('\n');

describe('reading a newer bench report', () => {
  it('takes every figure the generated block carries and keeps the rest from the costs file, naming both', () => {
    const base = loadMeasuredCosts();
    const { costs, taken, kept } = readBenchReport(`# Benchmarks\n\nprose\n\n${BLOCK}\n\nmore prose`, base);
    expect(costs.source).toMatchObject({ date: '2027-01-02T03:04:05.000Z', command: 'npm run bench (whole run 400 s)' });
    expect(costs.cpuMsPerCreate).toEqual({ chat: 1.5, agent: 2.5, relay: 3.5, postgres: 4.5 });
    expect(costs.convergence).toEqual([
      { members: 10, faultRate: 0, pairsReached: 55, pairsTotal: 55, chatCommandsPerPair: 14, cpuMsPerPair: { chat: 40, agent: 60, relay: 50, postgres: 70 } },
      { members: 50, faultRate: 0.3, pairsReached: 95, pairsTotal: 1275, chatCommandsPerPair: 90, cpuMsPerPair: { chat: 1, agent: 2, relay: 3, postgres: 4 } },
    ]);
    expect(costs.redisCommandsPerCreate).toEqual({ bullmq: 70.5, relay: 5.5 });
    expect(costs.scanPlan.ms).toBe(20);
    // No memory rows in this block: the costs file's stay, and the reading says so.
    expect(costs.memory).toEqual(base.memory);
    expect(kept).toEqual(expect.arrayContaining(['memory', 'postgresStatementsPerCreate', 'rowBytes']));
    expect(taken).toEqual(expect.arrayContaining(['source', 'cpuMsPerCreate', 'convergence', 'redisCommandsPerCreate', 'scanPlan']));
  });

  it('refuses a file without a generated block', () => {
    expect(() => readBenchReport('# Benchmarks\n\nno block here', loadMeasuredCosts())).toThrow(/no generated bench block/);
  });
});

describe('simulate options', () => {
  it('maps --kebab-case flags and refuses bad or unknown ones, naming them', () => {
    expect(parseSimulateOptions(['--bench-report=docs/benchmarks.md', '--faults=0.3', '--json'])).toMatchObject({ benchReport: 'docs/benchmarks.md', faults: 0.3, json: true });
    expect(parseSimulateOptions([])).toMatchObject({ faults: 0.1, targetUtilisation: 0.6, json: false });
    expect(() => parseSimulateOptions(['--faults=2'])).toThrow(/faults/);
    expect(() => parseSimulateOptions(['--fault=0.2'])).toThrow(/fault/);
  });
});
