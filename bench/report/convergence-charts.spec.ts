import { ConvergenceRun } from '../scenarios/group-convergence';
import { convergenceChartSpec } from './convergence-charts';
import { renderGenerated } from './generated-block';
import { Results } from './results';

const run = (faultRate: number, seconds: number, timeoutMs = 120_000): ConvergenceRun => ({
  members: 50,
  faultRate,
  pairs: 1275,
  seconds,
  pairsReached: Number.isNaN(seconds) ? 900 : 1275,
  setupSeconds: 6,
  pendingAtEnd: 0,
  timeoutMs,
  curve: [{ seconds: 0, pairs: 0 }, { seconds: 30, pairs: 900 }],
});

describe('convergence charts of the runs', () => {
  it("draws a 50-member chart over the 120 s cut and all 1,275 pairs, one line per fault rate, the 40 s / 60 s targets as marks", () => {
    const spec = convergenceChartSpec(50, [run(0, 35.2), run(0.3, NaN)]);
    expect([spec.xMax, spec.yMax]).toEqual([120, 1275]);
    expect(spec.series.map((s) => s.label)).toEqual(['0% faults: full mesh in 35.2 s', '30% faults: 900/1275 at the 120 s cut']);
    expect(spec.marks).toEqual([
      { seconds: 40, label: '40 s (target, 0%)' },
      { seconds: 60, label: '60 s (target, 30%)' },
    ]);
  });

  it('gives a fault rate the same colour in every chart, also where a size lacks the other rate', () => {
    const ten = { ...run(0.3, 20, 45_000), members: 10, pairs: 55 };
    const fifty = convergenceChartSpec(50, [run(0, 35.2), run(0.3, NaN), ten]);
    const tenChart = convergenceChartSpec(10, [run(0, 35.2), run(0.3, NaN), ten]);
    expect(fifty.series[0].colour).not.toEqual(fifty.series[1].colour);
    expect(tenChart.series.map((s) => s.colour)).toEqual([fifty.series[1].colour]);
  });

  it('is shown in the generated block below the convergence table', () => {
    const r: Results = { baseline: [], baselineSingleUser: [], plans: [], timings: [], convergence: [run(0, 35.2)], replicas: [], charts: new Map([[50, 'img/convergence-50.png']]) };
    const block = renderGenerated({ machine: 'm', command: 'npm run bench', startedAt: new Date(0), seconds: 1, figures: [], r });
    const table = block.indexOf('### Group convergence runs');
    const image = block.indexOf('(img/convergence-50.png)');
    expect(table).toBeGreaterThanOrEqual(0);
    expect(image).toBeGreaterThan(table);
    expect(block).toContain('![host + 50 members: pairs connected over time');
  });
});
