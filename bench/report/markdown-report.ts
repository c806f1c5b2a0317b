import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Figure, verdict } from './figure';

export const BEGIN = '<!-- bench:begin (written by npm run bench; edit outside these markers) -->';
export const END = '<!-- bench:end -->';

/** The table for stdout: fixed-width columns. */
export function consoleTable(figures: Figure[]): string {
  const rows = figures.map((f) => [f.section, f.name, f.value, f.target ?? '', verdict(f)]);
  const head = ['section', 'figure', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(figures: Figure[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| section | figure | value | target | |',
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${esc(f.section)} | ${esc(f.name)} | ${esc(f.value)} | ${esc(f.target ?? '')} | ${verdict(f)} |`),
  ].join('\n');
}

/**
 * Replaces the generated block of docs/benchmarks.md, keeping the hand-written analysis around it
 * (a new file gets a title and the block).
 */
export function writeReport(path: string, generated: string): void {
  const block = `${BEGIN}\n${generated.trim()}\n${END}`;
  if (!existsSync(path)) {
    writeFileSync(path, `# Benchmarks\n\n${block}\n`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next = start >= 0 && end > start ? `${text.slice(0, start)}${block}${text.slice(end + END.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
