import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SNAPSHOT_ENV = 'BENCH_REPO_ROOT';

/** The repository root: handed down by the launching process, or two levels above dist/bench. */
export function repoRoot(): string {
  return process.env[SNAPSHOT_ENV] ?? resolve(__dirname, '..', '..', '..');
}

/**
 * Other work on this machine runs `npm run build` (rm -rf dist) while the bench runs for minutes,
 * and an app started after that fails to load. So the bench copies dist/ into
 * test-output/bench-run/dist once and runs from there (still under the repo, so node_modules
 * resolve); the apps' logs land in test-output/bench-run/test-output. Resolves with the copy's exit
 * code, or null when this process is the copy.
 */
export async function rerunFromSnapshot(): Promise<number | null> {
  if (process.env[SNAPSHOT_ENV]) return null;
  const root = repoRoot();
  const base = join(root, 'test-output', 'bench-run');
  const snapshot = join(base, 'dist');
  rmSync(snapshot, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  if (!existsSync(join(root, 'dist', 'apps'))) throw new Error('dist/apps is missing: run npm run build (npm run bench does)');
  cpSync(join(root, 'dist'), snapshot, { recursive: true });
  const child = spawn(process.execPath, [join(snapshot, 'bench', 'main.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [SNAPSHOT_ENV]: root },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((res) => child.once('exit', (code) => res(code ?? 1)));
}
