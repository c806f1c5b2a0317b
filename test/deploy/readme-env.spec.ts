import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCompose } from './compose-model';

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

/** Every non-spec .ts source under apps/ and libs/, with its text. */
function sources(dir = ''): { file: string; text: string }[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return /(?<!\.spec|\.e2e-spec)\.ts$/.test(e.name) ? [{ file: path, text: readFileSync(join(ROOT, path), 'utf8') }] : [];
  });
}

/**
 * Redis features the code relies on, with the Redis version that brought each. A new use of a newer
 * command belongs here; the README's requirement must then follow.
 */
const REDIS_FEATURES = [
  // BullMQ's own floor (its Lua scripts).
  { what: 'BullMQ', since: 6.2, used: (text: string) => /from 'bullmq'/.test(text) },
  // `SET key value NX GET`: NX and GET together were refused before Redis 7.0 (the chat's queue-loss marker).
  { what: 'SET … NX GET', since: 7, used: (text: string) => /\.set\([^)]*['"]NX['"],\s*['"]GET['"]/.test(text) },
];

function requirementsSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Requirements');
  expect(start).toBeGreaterThan(0);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
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

  it('requires the Redis version the code needs (the newest command it uses), and compose runs at least that', () => {
    const code = sources('apps').concat(sources('libs'));
    const used = REDIS_FEATURES.filter((f) => code.some((s) => f.used(s.text)));
    expect(used.map((f) => f.what)).toContain('SET … NX GET');
    const needed = Math.max(...used.map((f) => f.since));

    const stated = /Redis ≥ (\d+(?:\.\d+)?)/.exec(requirementsSection());
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBe(needed);
    const image = loadCompose(join(ROOT, 'docker-compose.yml')).services.redis.image ?? '';
    expect(Number(/^redis:(\d+)/.exec(image)?.[1])).toBeGreaterThanOrEqual(needed);
  });

  it('names the Node.js of the container image and the one the code is tested on, as the Dockerfile and engines do', () => {
    const section = requirementsSection();
    const imageNode = /ARG NODE_IMAGE=node:(\d+)/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(imageNode).toBeDefined();
    expect(section).toContain(`Node.js ${imageNode}`);
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    // The Node running this test (CI's) is one engines admits, and the image's too.
    for (const major of [process.versions.node.split('.')[0], imageNode]) expect(engines).toMatch(new RegExp(`\\^${major}\\b`));
    expect(section).toContain(`Node.js ${process.versions.node.split('.')[0]}`);
  });
});
