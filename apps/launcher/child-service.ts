import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { nodeFlagsOf } from '../agent/src/runtime/agent-node-flags';
import { distEntry, ServiceSpec } from './launch-plan';

export interface ChildService {
  spec: ServiceSpec;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  isRunning(): boolean;
}

const COLOURS = [36, 35, 33, 32, 34, 31];

/** Copies every line of `from` to `to` behind the service's name, so interleaved logs stay readable. */
function prefixLines(from: Readable, to: Writable, prefix: string): void {
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => to.write(`${prefix}${line}\n`));
}

export function startChildService(root: string, spec: ServiceSpec, index: number, width: number, colour: boolean): ChildService {
  // Its own process group: a Ctrl-C reaches only the launcher, which then stops the children in
  // order (apps before relays) instead of everything at once.
  const child = spawn(process.execPath, [...nodeFlagsOf(spec.app), distEntry(root, spec.app)], {
    cwd: root,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const label = spec.name.padEnd(width);
  const prefix = colour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label} |\x1b[0m ` : `${label} | `;
  if (child.stdout) prefixLines(child.stdout, process.stdout, prefix);
  if (child.stderr) prefixLines(child.stderr, process.stderr, prefix);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      running = false;
      process.stderr.write(`${prefix}failed to start: ${err.message}\n`);
      resolve('spawn-error');
    });
  });
  return { spec, process: child, exited, isRunning: () => running };
}
