import type { ProgressView } from './chat-client';

const WIDTH = 30;

/** One line: the bar, pairs connected, elapsed time and the oldest thing a pair waits on. */
export function progressLine(p: ProgressView, expectedPairs: number, elapsedMs: number): string {
  const total = Math.max(p.pairsTotal, expectedPairs, 1);
  const filled = Math.round((WIDTH * p.pairsConnected) / total);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
  const pct = Math.floor((100 * p.pairsConnected) / total);
  const oldest = [...p.stuck].sort((a, b) => a.since.localeCompare(b.since))[0];
  const waiting = oldest ? `  waiting: ${p.stuck.length} (oldest ${oldest.step}${oldest.attempts > 1 ? `, attempt ${oldest.attempts}` : ''})` : '';
  return `[${bar}] ${String(p.pairsConnected).padStart(String(total).length)}/${total} pairs ${String(pct).padStart(3)}%  ${(elapsedMs / 1000).toFixed(1)} s${waiting}`;
}

/** Redraws in place on a terminal; elsewhere (CI, a pipe) prints a line when something changed. */
export class ProgressBar {
  private last = '';
  private lastPrinted = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(line: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r${line.padEnd(this.last.length)}`);
      this.last = line;
      return;
    }
    const key = line.replace(/\s+[\d.]+ s/, '');
    if (key === this.last && Date.now() - this.lastPrinted < 5_000) return;
    this.last = key;
    this.lastPrinted = Date.now();
    this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}
