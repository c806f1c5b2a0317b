/**
 * The convergence curve (pairs connected over time) as an SVG: a pure mapping from the runs' poll
 * samples to pixels, so the spec can check where each point lands; chart-png.ts turns it into the
 * PNG docs/benchmarks.md shows (no charting dependency).
 */
export interface ChartPoint {
  seconds: number;
  pairs: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  /** Default: SERIES_COLOURS by position; set it to keep one colour per meaning across charts. */
  colour?: string;
}

/** A vertical mark at a target time (e.g. "40 s: target at 0%"). */
export interface ChartMark {
  seconds: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  width: number;
  height: number;
  /** Right end of the time axis (the longest cut), seconds. */
  xMax: number;
  /** Top of the pairs axis (all pairs of the group). */
  yMax: number;
  series: ChartSeries[];
  marks: ChartMark[];
}

export interface ChartGeometry {
  left: number;
  right: number;
  top: number;
  bottom: number;
  x(seconds: number): number;
  y(pairs: number): number;
}

/** Colour-blind-safe colours (Okabe–Ito), one per series in order. */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

// The top margin holds the title and one row of legend, so neither covers a curve.
const MARGIN = { left: 64, right: 24, top: 56, bottom: 48 };

export function chartGeometry(spec: Pick<ChartSpec, 'width' | 'height' | 'xMax' | 'yMax'>): ChartGeometry {
  const left = MARGIN.left;
  const right = spec.width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = spec.height - MARGIN.bottom;
  const xMax = Math.max(spec.xMax, 1e-9);
  const yMax = Math.max(spec.yMax, 1e-9);
  // Values past the axis (a sample just after the cut) are clamped to the plot's edge.
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return {
    left,
    right,
    top,
    bottom,
    x: (s) => round(left + (clamp(s, 0, xMax) / xMax) * (right - left)),
    y: (p) => round(bottom - (clamp(p, 0, yMax) / yMax) * (bottom - top)),
  };
}

/** Tick values 0, step, 2·step … ≤ max, with step a 1/2/5 × 10^k giving about `count` ticks. */
export function ticks(max: number, count = 6): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(round(v));
  return out;
}

export function convergenceChartSvg(spec: ChartSpec): string {
  const g = chartGeometry(spec);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${spec.height}" viewBox="0 0 ${spec.width} ${spec.height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${spec.width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  for (const t of ticks(spec.xMax)) {
    parts.push(`<line x1="${g.x(t)}" y1="${g.top}" x2="${g.x(t)}" y2="${g.bottom}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${g.x(t)}" y="${g.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(spec.yMax, 5)) {
    parts.push(`<line x1="${g.left}" y1="${g.y(t)}" x2="${g.right}" y2="${g.y(t)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${g.left - 6}" y="${g.y(t) + 4}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<line x1="${g.left}" y1="${g.bottom}" x2="${g.right}" y2="${g.bottom}" stroke="#333333"/>`);
  parts.push(`<line x1="${g.left}" y1="${g.top}" x2="${g.left}" y2="${g.bottom}" stroke="#333333"/>`);
  parts.push(`<text x="${(g.left + g.right) / 2}" y="${spec.height - 10}" text-anchor="middle">seconds since every member joined</text>`);
  parts.push(`<text transform="translate(16 ${(g.top + g.bottom) / 2}) rotate(-90)" text-anchor="middle">pairs connected (of ${spec.yMax})</text>`);
  for (const m of spec.marks) {
    parts.push(`<line class="mark" x1="${g.x(m.seconds)}" y1="${g.top}" x2="${g.x(m.seconds)}" y2="${g.bottom}" stroke="#cc0000" stroke-dasharray="6 4"/>`);
  }
  let legendX = g.left;
  spec.series.forEach((s, i) => {
    const colour = s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length];
    const points = s.points.map((p) => `${g.x(p.seconds)},${g.y(p.pairs)}`).join(' ');
    parts.push(`<polyline class="series" fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`);
    const ly = 42;
    parts.push(`<line x1="${legendX}" y1="${ly - 4}" x2="${legendX + 20}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<text x="${legendX + 26}" y="${ly}">${escapeXml(s.label)}</text>`);
    legendX += 26 + 7 * s.label.length + 24; // ~7 px per character at 12 px
  });
  // Labels after the curves, at the foot of the plot (the curves leave it early), with a white
  // halo so they stay readable where a curve runs through them.
  spec.marks.forEach((m, i) => {
    parts.push(`<text x="${g.x(m.seconds) - 4}" y="${g.bottom - 8 - 14 * i}" text-anchor="end" fill="#cc0000" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(m.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
