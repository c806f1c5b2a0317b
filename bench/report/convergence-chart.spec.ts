import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngSize, renderSvgToPng } from './chart-png';
import { ChartSpec, chartGeometry, convergenceChartSvg, ticks } from './convergence-chart';

const spec: ChartSpec = {
  title: 'host + 50 members',
  width: 800,
  height: 400,
  xMax: 100,
  yMax: 1000,
  series: [
    { label: '0% faults', points: [{ seconds: 0, pairs: 0 }, { seconds: 50, pairs: 500 }, { seconds: 100, pairs: 1000 }] },
    { label: '30% faults', points: [{ seconds: 0, pairs: 0 }, { seconds: 25, pairs: 250 }] },
  ],
  marks: [{ seconds: 40, label: '40 s' }],
};

/** The `points` of every polyline, as [x, y] pairs. */
function polylines(svg: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(/<polyline class="series"[^>]* points="([^"]*)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

describe('convergence chart', () => {
  it('maps time to x from the left edge and pairs to y from the bottom edge of the plot', () => {
    const g = chartGeometry(spec);
    // The plot spans x 64..776 and y 56..352 of an 800×400 chart (margins for labels and legend).
    expect([g.x(0), g.y(0)]).toEqual([64, 352]);
    expect([g.x(100), g.y(1000)]).toEqual([776, 56]);
    expect([g.x(50), g.y(500)]).toEqual([420, 204]);
  });

  it('draws one line per run through its samples, and each target as a vertical mark at its time', () => {
    const svg = convergenceChartSvg(spec);
    expect(polylines(svg)).toEqual([
      [[64, 352], [420, 204], [776, 56]],
      [[64, 352], [242, 278]],
    ]);
    const mark = /<line class="mark" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/.exec(svg);
    expect(mark?.slice(1).map(Number)).toEqual([348.8, 56, 348.8, 352]);
  });

  it('keeps a sample past the cut on the plot edge', () => {
    const g = chartGeometry(spec);
    expect([g.x(130), g.y(1200)]).toEqual([776, 56]);
  });

  it('labels the axes with round steps up to the maximum', () => {
    expect(ticks(120)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(ticks(1275, 5)).toEqual([0, 500, 1000]);
  });

  it('is rendered by headless Chromium into a PNG of the chart size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-spec-'));
    try {
      const file = join(dir, 'chart.png');
      await renderSvgToPng(convergenceChartSvg(spec), file, { width: 800, height: 400 });
      expect(pngSize(readFileSync(file))).toEqual({ width: 800, height: 400 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('tells a file that is not a PNG', () => {
    expect(() => pngSize(Buffer.from('<svg/>'))).toThrow('not a PNG file');
  });
});
