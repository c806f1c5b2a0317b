import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChildService, startChildService } from './child-service';
import { ensureDatabase } from './database-bootstrap';
import { distEntry, LaunchPlan, planLaunch } from './launch-plan';
import { waitHealthy } from './readiness-probe';
import { ensureDeploymentRedisAnswers } from './redis-check';
import { Supervisor } from './supervisor';
import { TerminalOutput } from './terminal-output';

// dist/apps/launcher/main.js → the repository root, where dist/apps/<app>/src/main.js live.
const ROOT = resolve(__dirname, '..', '..', '..');
const SLOW_START_WARNING_MS = 30_000;
const REPEATED_SIGNAL_GRACE_MS = 1_000;

// Widened to the longest service name once the plan is known, so every prefix lines up.
let prefixWidth = 'launcher'.length;
// Every byte the launcher prints goes through here: a closed pipe or terminal mutes it instead of
// raising an error (see terminal-output.ts for the spin that caused).
const output = new TerminalOutput();

function announce(line: string): void {
  output.announce(`${'launcher'.padEnd(prefixWidth)} | ${line}\n`);
}

function fail(message: string): never {
  output.write('stderr', `${'launcher'.padEnd(prefixWidth)} | ${message}\n`);
  process.exit(1);
}

function printAddresses(plan: LaunchPlan): void {
  const width = Math.max(...plan.services.map((s) => s.name.length));
  announce('all services are up:');
  for (const s of plan.services) {
    const base = `http://localhost:${s.port}`;
    const links = s.links.map((l) => `${l.label} ${base}${l.path}`).join(', ');
    announce(`  ${s.name.padEnd(width)}  ${base}  (health ${base}/health${links ? `, ${links}` : ''})`);
  }
  announce('Ctrl-C stops everything');
}

async function main(): Promise<void> {
  let plan: LaunchPlan;
  try {
    plan = planLaunch(process.env, { stdoutIsTTY: Boolean(process.stdout.isTTY) });
  } catch (err) {
    fail((err as Error).message);
  }
  prefixWidth = Math.max(prefixWidth, ...plan.services.map((s) => s.name.length));
  const missing = [...new Set(plan.services.map((s) => s.app))].filter((app) => !existsSync(distEntry(ROOT, app)));
  if (missing.length > 0) {
    fail(`not built: ${missing.map((a) => distEntry(ROOT, a)).join(', ')}; run \`npm run build\``);
  }

  try {
    await ensureDeploymentRedisAnswers(process.env);
  } catch (err) {
    fail((err as Error).message);
  }

  try {
    const created = await ensureDatabase(plan.databaseUrl);
    const dbName = new URL(plan.databaseUrl).pathname.slice(1);
    announce(created ? `created database "${dbName}"` : `database "${dbName}" exists`);
  } catch (err) {
    fail((err as Error).message);
  }

  // Nobody reads us any more (`npm start | head -3` closed before a child started): start nothing.
  if (output.isClosed) process.exit(0);
  const width = prefixWidth;
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const children: ChildService[] = plan.services.map((spec, i) => {
    const child = startChildService(ROOT, spec, i, width, output, colour);
    announce(`started ${spec.name} (pid ${child.process.pid}) on port ${spec.port}`);
    return child;
  });
  const supervisor = new Supervisor(children, plan.shutdownTimeoutMs, announce);

  let exitCode = 0;
  const stop = async (reason: string, code: number): Promise<void> => {
    if (supervisor.isStopping) return;
    exitCode = code;
    announce(`${reason}: stopping all services`);
    await supervisor.stopAll();
    announce('all services stopped');
    process.exit(exitCode);
  };

  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (firstSignalAt === 0) {
        firstSignalAt = Date.now();
        void stop(signal, 0);
        return;
      }
      // Under `npm start`, one Ctrl-C can arrive twice: from the terminal and forwarded by npm.
      if (Date.now() - firstSignalAt < REPEATED_SIGNAL_GRACE_MS) return;
      announce(`${signal} again: killing what is left`);
      supervisor.killAll();
    });
  }
  // A closed stdout/stderr or a lost terminal: nobody sees the services any more, and a person
  // who piped into `head` or quit `less` expects the whole thing to end, as any pipeline does.
  void output.closed.then((reason) => stop(reason, 0));
  // A bug in the launcher itself must not leave the children running without a parent.
  process.on('uncaughtException', (err) => {
    output.write('stderr', `${'launcher'.padEnd(prefixWidth)} | ${err.stack ?? err.message}\n`);
    void stop('launcher error', 1);
  });

  void supervisor.firstUnexpectedExit().then(({ child, code }) =>
    stop(`${child.spec.name} exited unexpectedly (${code})`, 1),
  );

  const slowStart = setTimeout(() => {
    announce(`still waiting for /health of some services after ${SLOW_START_WARNING_MS / 1000} s; see their log lines above`);
  }, SLOW_START_WARNING_MS);
  const healthy = await Promise.all(plan.services.map((s) => waitHealthy(s, () => supervisor.isStopping)));
  clearTimeout(slowStart);
  if (healthy.every(Boolean) && !supervisor.isStopping) printAddresses(plan);
}

main().catch((err: Error) => fail(err.stack ?? err.message));
