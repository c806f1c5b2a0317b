import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * `--cpu-prof` is refused in NODE_OPTIONS on node 20, `--require` is not: this preload starts the
 * V8 profiler in the app's own process and writes BENCH_CPU_PROFILE_DIR/<time>-<pid>.cpuprofile
 * when the process exits. Nest's shutdown hooks handle the first SIGTERM and raise it again once
 * closed; this listener turns that second one into a normal exit, so the profile gets written.
 */
const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-process inspector answers synchronously, so this works inside an 'exit' handler.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${Date.now()}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('exit', write);
  let terms = 0;
  process.on('SIGTERM', () => {
    terms++;
    if (terms > 1 || process.listenerCount('SIGTERM') === 1) process.exit(0);
  });
}
