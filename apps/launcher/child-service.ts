import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { nodeFlagsOf } from './agent-node-flags';
import { distEntry, ServiceSpec } from './launch-plan';
import { Channel, TerminalOutput } from './terminal-output';

export interface ChildService {
  spec: ServiceSpec;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  isRunning(): boolean;
}

const COLOURS = [36, 35, 33, 32, 34, 31];

/**
 * Copies every line of `from` to the launcher's `channel` behind the service's name, so interleaved
 * logs stay readable. The child's pipe is read even when the launcher's own output has closed, so
 * the child never blocks on a full pipe while it is being stopped.
 */
function prefixLines(from: Readable, output: TerminalOutput, channel: Channel, prefix: string): void {
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => output.write(channel, `${prefix}${line}\n`));
}

export function startChildService(
  root: string,
  spec: ServiceSpec,
  index: number,
  width: number,
  output: TerminalOutput,
  colour: boolean,
): ChildService {
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
  if (child.stdout) prefixLines(child.stdout, output, 'stdout', prefix);
  if (child.stderr) prefixLines(child.stderr, output, 'stderr', prefix);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      running = false;
      output.write('stderr', `${prefix}failed to start: ${err.message}\n`);
      resolve('spawn-error');
    });
  });
  return { spec, process: child, exited, isRunning: () => running };
}
