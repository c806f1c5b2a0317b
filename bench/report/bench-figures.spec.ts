import { parseBenchOptions } from '../bench-options';
import { ThroughputRun } from '../measure/load-driver';
import { ConvergenceRun } from '../scenarios/group-convergence';
import { buildFigures } from './bench-figures';
import { Figure } from './figure';
import { Results } from './results';

const throughput = (perSecond: number, cpuMs: number): ThroughputRun => ({ commands: 500, seconds: 500 / perSecond, perSecond, acceptedPerSecond: perSecond, cpuMsPerCommand: { node: cpuMs } });

const convergence = (members: number, faultRate: number, seconds: number, cpuMsPerPair: number, timeoutMs = 120_000): ConvergenceRun => {
  const pairs = ((members + 1) * members) / 2;
  return { members, faultRate, pairs, seconds, pairsReached: Number.isNaN(seconds) ? Math.floor(pairs / 2) : pairs, setupSeconds: 1, pendingAtEnd: 0, chatCommands: 15 * pairs, cpuMsPerPair: { chat: cpuMsPerPair }, timeoutMs, curve: [] };
};

const results = (over: Partial<Results>): Results => ({ baseline: [], baselineSingleUser: [], plans: [], timings: [], convergence: [], replicas: [], charts: new Map(), ...over });

const find = (figures: Figure[], name: RegExp): Figure => {
  const f = figures.find((x) => name.test(x.name));
  if (!f) throw new Error(`no figure matching ${name}: ${figures.map((x) => x.name).join('; ')}`);
  return f;
};

describe("the report table's targets (issue 12)", () => {
  const opts = parseBenchOptions([]);

  it('single-user throughput: ours / the naive peer driven the same way, PASS at >= 1.0', () => {
    const run = (ours: number) =>
      find(buildFigures(opts, results({ oursSingleUser: throughput(ours, 10), baselineSingleUser: [throughput(200, 2), throughput(300, 2)] })), /single user: ours \/ naive peer/);
    expect(run(250)).toMatchObject({ value: '1.00', pass: true });
    expect(run(249)).toMatchObject({ value: '1.00', pass: false });
  });

  it("CPU per pair in naive-peer commands: all processes' ms per pair ÷ the naive peer's ms per command, <= 20 at 10 members and 0%", () => {
    const figures = (cpuMsPerPair: number) =>
      buildFigures(opts, results({ baseline: [throughput(400, 2), throughput(400, 3)], convergence: [convergence(10, 0, 7, cpuMsPerPair), convergence(25, 0, 30, 300)] }));
    expect(find(figures(50), /host \+ 10, 0%: CPU per pair in naive-peer commands/)).toMatchObject({ value: '20.0', target: '<= 20', pass: true });
    expect(find(figures(51), /host \+ 10, 0%: CPU per pair in naive-peer commands/)).toMatchObject({ value: '20.4', pass: false });
    // Shown for the other runs, targeted only at 10 members.
    const other = find(figures(50), /host \+ 25, 0%: CPU per pair in naive-peer commands/);
    expect([other.value, other.target, other.pass]).toEqual(['120.0', undefined, undefined]);
  });

  it('time to full mesh: 25 members < 15 s / < 25 s and 50 members < 40 s / < 60 s; a run cut at 120 s is a MISS', () => {
    const figures = buildFigures(opts, results({ convergence: [convergence(25, 0, 14.9, 1), convergence(25, 0.3, 25, 1), convergence(50, 0, 39, 1), convergence(50, 0.3, NaN, 1)] }));
    expect(find(figures, /host \+ 25 members, 0% faults/)).toMatchObject({ target: '< 15 s', pass: true });
    expect(find(figures, /host \+ 25 members, 30% faults/)).toMatchObject({ target: '< 25 s', pass: false });
    expect(find(figures, /host \+ 50 members, 0% faults/)).toMatchObject({ target: '< 40 s', pass: true });
    expect(find(figures, /host \+ 50 members, 30% faults/)).toMatchObject({ value: '> 120 s (637/1275 pairs)', target: '< 60 s', pass: false });
  });

  it('T(30%) / T(0%) <= 1.5 at 10 members; an unconverged 30% run is a lower bound', () => {
    const ratio = (t30: number) => find(buildFigures(opts, results({ convergence: [convergence(10, 0, 10, 1, 45_000), convergence(10, 0.3, t30, 1, 45_000)] })), /T\(30%\) \/ T\(0%\), 10 members/);
    expect(ratio(15)).toMatchObject({ value: '1.50', target: '<= 1.5', pass: true });
    expect(ratio(15.1)).toMatchObject({ value: '1.51', pass: false });
    expect(ratio(NaN)).toMatchObject({ value: '> 4.50', pass: false });
  });

  it('unloaded round trip: p50 < 10 ms and p99 < 25 ms', () => {
    const figures = buildFigures(opts, results({ unloaded: { n: 100, p50: 9.9, p90: 15, p99: 25, max: 30 } as Results['unloaded'] }));
    expect(find(figures, /unloaded p50/)).toMatchObject({ target: '< 10 ms', pass: true });
    expect(find(figures, /unloaded p99/)).toMatchObject({ target: '< 25 ms', pass: false });
  });
});

describe('the replicas figures (issue 13)', () => {
  const opts = parseBenchOptions([]);
  const replica = (replicas: number, cpuCap: number, perSecond: number) => ({ replicas, cpuCap, run: throughput(perSecond, 10), cpuMsPerCommand: 10, systemShare: 0.5, machineShare: 0.6, cores: 2 });

  it('reads a capped row against the capped 1 + 1, an uncapped one against the uncapped', () => {
    const figures = buildFigures(opts, results({ replicas: [replica(1, 0, 120), replica(2, 0, 90), replica(1, 0.25, 40), replica(2, 0.25, 76)] }));
    expect(find(figures, /^2 agents \+ 2 chats: CREATE/).value).toBe('90 (×0.75 vs 1 + 1)');
    expect(find(figures, /^2 agents \+ 2 chats, each capped at 0.25 cores: CREATE/).value).toBe('76 (×1.90 vs 1 + 1)');
  });

  it('says why a capped row was not measured', () => {
    const figures = buildFigures(opts, results({ replicas: [{ replicas: 1, cpuCap: 0.25, notRun: 'no cgroup cpu controller' }] }));
    expect(find(figures, /capped at 0.25 cores: not measured/).value).toBe('no cgroup cpu controller');
  });
});

describe('bench options', () => {
  it('accepts the new sections in --only and single-value group and fault lists', () => {
    const o = parseBenchOptions(['--only=single-user,replicas,convergence', '--groups=50', '--faults=0.3']);
    expect([...(o.only ?? [])]).toEqual(['single-user', 'replicas', 'convergence']);
    expect([o.groupSizes, o.faultRates]).toEqual([[50], [0.3]]);
    expect([o.singleUserCommands, o.singleUserConcurrency, o.replicas, o.replicaCpu]).toEqual([1000, 50, [1, 2, 3], [0, 0.1]]);
    expect(parseBenchOptions(['--quick']).replicaCpu).toEqual([0]);
    expect(parseBenchOptions(['--replica-cpu=0.5']).replicaCpu).toEqual([0.5]);
  });

  it('refuses an unknown section and a replica count below 1', () => {
    expect(() => parseBenchOptions(['--only=replica'])).toThrow('unknown scenario "replica"');
    expect(() => parseBenchOptions(['--replicas=0'])).toThrow('--replicas');
  });
});
