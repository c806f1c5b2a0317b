/** One line of the result table: a ratio or a distribution from this run, with its target. */
export interface Figure {
  section: string;
  name: string;
  value: string;
  target?: string;
  /** undefined: no target (context figure). */
  pass?: boolean;
}

export const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

export function verdict(f: Figure): string {
  return f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS';
}
