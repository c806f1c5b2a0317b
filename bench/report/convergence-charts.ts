import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConvergenceRun } from '../scenarios/group-convergence';
import { renderSvgToPng } from './chart-png';
import { ChartSpec, SERIES_COLOURS, convergenceChartSvg } from './convergence-chart';
import { fmt } from './figure';
import { convergenceTargetSeconds } from './targets';

export const CHART_SIZE = { width: 800, height: 400 } as const;

/** The chart of one group size: one line per fault rate, the targets of that size as marks. */
export function convergenceChartSpec(members: number, runs: ConvergenceRun[]): ChartSpec {
  const mine = runs.filter((r) => r.members === members && r.curve.length > 1);
  const pairs = ((members + 1) * members) / 2;
  // One colour per fault rate across all the charts of a run (the lowest rate takes the first).
  const rates = [...new Set(runs.map((r) => r.faultRate))].sort((a, b) => a - b);
  return {
    title: `host + ${members} members: pairs connected over time`,
    ...CHART_SIZE,
    xMax: Math.max(...mine.map((r) => r.timeoutMs / 1000), 1),
    yMax: pairs,
    series: mine.map((r) => ({
      label: `${fmt(r.faultRate * 100, 0)}% faults: ${Number.isNaN(r.seconds) ? `${r.pairsReached}/${pairs} at the ${fmt(r.timeoutMs / 1000, 0)} s cut` : `full mesh in ${fmt(r.seconds)} s`}`,
      points: r.curve,
      colour: SERIES_COLOURS[rates.indexOf(r.faultRate) % SERIES_COLOURS.length],
    })),
    marks: mine.flatMap((r) => {
      const t = convergenceTargetSeconds(members, r.faultRate);
      return t === undefined ? [] : [{ seconds: t, label: `${t} s (target, ${fmt(r.faultRate * 100, 0)}%)` }];
    }),
  };
}

/**
 * Writes `<dir>/convergence-<members>.png` for every group size that has a curve; returns the PNG
 * paths by size. A chart Chromium cannot render is logged and left as its SVG: the figures are the
 * run's result, the picture only a view of them, so it must not fail the run.
 */
export async function writeConvergenceCharts(dir: string, runs: ConvergenceRun[], log: (line: string) => void): Promise<Map<number, string>> {
  const written = new Map<number, string>();
  for (const members of [...new Set(runs.map((r) => r.members))].sort((a, b) => a - b)) {
    const spec = convergenceChartSpec(members, runs);
    if (spec.series.length === 0) continue;
    const png = `${dir}/convergence-${members}.png`;
    mkdirSync(dirname(png), { recursive: true });
    const svg = convergenceChartSvg(spec);
    try {
      await renderSvgToPng(svg, png, CHART_SIZE);
      written.set(members, png);
      log(`  chart ${png}`);
    } catch (err) {
      writeFileSync(png.replace(/\.png$/, '.svg'), svg);
      log(`  chart of ${members} members not rendered (${(err as Error).message.split('\n')[0]}); SVG kept beside it`);
    }
  }
  return written;
}
