import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { nodeFlagsOf } from '../../apps/launcher/agent-node-flags';
import { eventually } from './eventually';

// test/support under jest, or dist/test/support when the bench imports the compiled harness.
const ABOVE = resolve(__dirname, '..', '..');
const ROOT = basename(ABOVE) === 'dist' ? dirname(ABOVE) : ABOVE;
export const TEST_OUTPUT_DIR = join(ROOT, 'test-output');

export type AppName = 'relay' | 'agent' | 'chat';

/**
 * Notes which suite wrote `logFile` in test-output/suite-logs.tsv, so `.ci/run` can print the logs
 * of exactly the suites that failed, whatever their labels. Outside jest it does nothing.
 */
export function recordSuiteLog(logFile: string): void {
  const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
  if (!state?.testPath) return;
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  appendFileSync(join(TEST_OUTPUT_DIR, 'suite-logs.tsv'), `${relative(ROOT, state.testPath)}\t${relative(ROOT, logFile)}\n`);
}

/**
 * Node's own process warnings, as it prints them to stderr: `(node:123) MaxListenersExceededWarning:
 * …`, `(node:123) [DEP0005] DeprecationWarning: …`, `(node:123) Warning: …`. Each one names a real
 * defect (issue 15: an abort-listener leak the agent printed during the demo), so any of them fails
 * the suite whose processes printed it (test/support/no-process-warnings.ts, run after every file).
 */
const PROCESS_WARNING = /\(node:\d+\) (?:\[[A-Z0-9]+\] )?\w*Warning: .*/;

export interface ProcessWarning {
  label: string;
  logFile: string;
  line: string;
}

const warningsSeen: ProcessWarning[] = [];

/** The process warnings printed by every process this test file started so far. */
export function processWarnings(): readonly ProcessWarning[] {
  return warningsSeen;
}

/** For the spec that provokes a warning on purpose: it must not fail its own file. */
export function forgetProcessWarnings(): void {
  warningsSeen.length = 0;
}

/** Watches a child's stderr, line by line, for Node's process warnings. */
function watchForWarnings(stream: NodeJS.ReadableStream | null, label: string, logFile: string): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const warning = PROCESS_WARNING.exec(line);
      if (warning) warningsSeen.push({ label, logFile, line: warning[0] });
    }
  });
}

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** What this process has printed so far (its part of the log file, which is appended to across runs). */
  output(): string;
  /** SIGTERM and wait for a graceful exit. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, as the fault tests need it. */
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts a built app (`npm run build` ran in `pretest`) as a real child process and waits for its
 * `/health` to answer 200. Logs go to test-output/<label>.log for post-mortems.
 */
export async function startService(
  app: AppName,
  label: string,
  port: number,
  env: Record<string, string>,
  opts: { healthTimeoutMs?: number; waitHealthy?: boolean } = {},
): Promise<ServiceProcess> {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const logFile = join(TEST_OUTPUT_DIR, `${label}.log`);
  recordSuiteLog(logFile);
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeFlagsOf(app), join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  watchForWarnings(child.stderr, label, logFile);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name: label,
    port,
    url,
    child,
    logFile,
    exited,
    output: () => readFileSync(logFile).subarray(logStart).toString('utf8'),
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (opts.waitHealthy !== false) {
    let exitCode: number | null | undefined;
    void exited.then((c) => (exitCode = c));
    await eventually(
      async () => {
        if (exitCode !== undefined) throw new Error(`${label} exited with ${exitCode}; see ${logFile}`);
        const res = await fetch(`${url}/health`);
        return res.status === 200;
      },
      { timeoutMs: opts.healthTimeoutMs ?? 30_000, what: `${label} /health on ${url}` },
    );
  }
  return service;
}

/** A process a test runs and reads: its output so far, and its exit code. */
export interface CapturedProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Spawns a command from the repository root with exactly `env`, keeps everything it prints (for
 * assertions) and appends it to test-output/<label>.log (for the reader of a failed run).
 */
export function spawnCaptured(label: string, command: string, args: string[], env: Record<string, string>, opts: { detached?: boolean } = {}): CapturedProcess {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const logFile = join(TEST_OUTPUT_DIR, `${label}.log`);
  recordSuiteLog(logFile);
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let text = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      log.write(chunk);
    });
  }
  // The launcher passes its children's stderr on to its own, behind their names.
  watchForWarnings(child.stderr, label, logFile);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, output: () => text, exited };
}
