import { setTimeout as sleep } from 'node:timers/promises';

/** Dependencies may start after us (compose, a restart): wait this long for them, then give up. */
export const DEPENDENCY_WAIT_MS = 60_000;
const DEPENDENCY_RETRY_MS = 2_000;

/** An error a check marks as final (e.g. a Redis that is too old): waiting will not help. */
export interface FinalRequirementError extends Error {
  waitingWontHelp: true;
}

/**
 * Runs the start-up checks (each throws a message an operator can act on) until all pass. One that
 * fails is tried again every 2 s for `waitMs`, with a line per try; a final failure stops at once.
 * Throws the reasons, for main to print and exit 1.
 */
export async function awaitDependencies(checks: Array<() => Promise<unknown>>, say: (line: string) => void, waitMs = DEPENDENCY_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const failed = (await Promise.allSettled(checks.map((check) => check()))).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const final = failed.find((r) => (r.reason as Partial<FinalRequirementError>).waitingWontHelp);
    const reasons = failed.map((r) => (r.reason as Error).message).join('; ');
    if (final) throw new Error((final.reason as Error).message);
    if (Date.now() >= deadline) throw new Error(reasons);
    say(`waiting for dependencies: ${reasons}`);
    await sleep(DEPENDENCY_RETRY_MS);
  }
}
