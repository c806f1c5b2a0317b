import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Rows of the first markdown table after `heading`, as trimmed cell arrays (header and rule dropped). */
function tableAfter(file: string, heading: RegExp): string[][] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) throw new Error(`${file}: no heading matching ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows.slice(2);
}

describe('README', () => {
  // The README is what a newcomer reads; the architecture table is the contract the apps obey.
  it('shows the environment table of docs/architecture.md, row for row', () => {
    const contract = tableAfter('docs/architecture.md', /^## Environment/);
    const readme = tableAfter('README.md', /^## Environment/);
    expect(contract.length).toBeGreaterThan(5);
    expect(readme).toEqual(contract);
  });

  it('names the two commands and the test command', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const command of ['npm ci', 'npm start', 'npm test']) expect(readme).toContain(command);
  });
});
