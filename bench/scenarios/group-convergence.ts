import { GroupSetup, setUpGroup } from '../../test/support/chat-stack';
import { BenchContext } from './bench-context';
import { BenchSystem, startBenchSystem } from '../system/bench-system';
import { fmt } from '../report/figure';
import { agentAttempts, commandTimings } from '../measure/command-timings';

export interface ConvergenceRun {
  members: number;
  faultRate: number;
  /** Pairs of parties (host included) that must see each other connected. */
  pairs: number;
  /** From the first join to every party seeing every other connected; NaN if it never did. */
  seconds: number;
  pairsReached: number;
  setupSeconds: number;
  /** Chat commands still pending when the run ended (the backlog behind an unfinished mesh). */
  pendingAtEnd: number;
  /** Why the run could not be measured (setup failed), if it could not. */
  error?: string;
}

const POLL_MS = 500;

/**
 * Design §7 through the chat API: host ↔ member contacts, a group, members added, then (faults on
 * both relays switched on) every member joins at once; GET …/members of every party is polled until
 * each sees each other `connected` with connected: true.
 */
export async function runGroupConvergence(ctx: BenchContext, faultRate: number, sizes: number[], timeoutMs: number): Promise<ConvergenceRun[]> {
  const runs: ConvergenceRun[] = [];
  const system = await startBenchSystem({ label: `group${Math.round(faultRate * 100)}`, chatEnv: ctx.opts.chatEnv, agentEnv: ctx.opts.agentEnv });
  try {
    for (const members of sizes) {
      runs.push(await convergeOnce(ctx, system, members, faultRate, timeoutMs));
      await system.setFaults({ failureRate: 0, latencyMs: 0, down: false });
    }
  } finally {
    await system.stop();
  }
  return runs;
}

async function convergeOnce(ctx: BenchContext, system: BenchSystem, members: number, faultRate: number, timeoutMs: number): Promise<ConvergenceRun> {
  const { api } = system;
  const names = Array.from({ length: members }, (_, i) => `M${members}-${i + 1}`);
  const setupStarted = performance.now();
  let joinsStarted = 0;
  const setup = await setUpGroup(api, `Host${members}`, names, {
    concurrentJoins: true,
    timeoutMs: 180_000,
    beforeJoins: async () => {
      if (faultRate > 0) await system.setFaults({ failureRate: faultRate });
      joinsStarted = performance.now();
    },
  });
  const setupSeconds = (joinsStarted - setupStarted) / 1000;
  const pairs = (setup.all.length * (setup.all.length - 1)) / 2;
  const deadline = joinsStarted + timeoutMs;
  let reached = 0;
  let seconds = NaN;
  const curve: string[] = [];
  while (performance.now() < deadline) {
    reached = await connectedPairs(system, setup);
    curve.push(`${fmt((performance.now() - joinsStarted) / 1000, 0)}s:${reached}`);
    if (reached === pairs) {
      seconds = (performance.now() - joinsStarted) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  ctx.log(`  group of host + ${members} at ${faultRate * 100}% faults: ${reached}/${pairs} pairs, ${Number.isNaN(seconds) ? 'not converged' : `${fmt(seconds)} s`} (setup ${fmt(setupSeconds)} s)`);
  if (process.env.BENCH_DEBUG) {
    ctx.log(`  curve ${curve.join(' ')}`);
    for (const t of await commandTimings(system.pg)) ctx.log(`  ${JSON.stringify(t)}`);
    for (const t of await agentAttempts(system.pg)) ctx.log(`  agent ${JSON.stringify(t)}`);
  }
  const pendingAtEnd = (await system.pg.query(`SELECT count(*)::int AS n FROM commands WHERE status = 'pending'`)).rows[0].n;
  return { members, faultRate, pairs, seconds, pairsReached: reached, setupSeconds, pendingAtEnd };
}

/** Unordered pairs where both sides see the other connected (one GET …/members per party). */
async function connectedPairs(system: BenchSystem, setup: GroupSetup): Promise<number> {
  const views = await Promise.all(setup.all.map((p) => system.api.members(p.userId, setup.groupId)));
  const sees = new Set<string>();
  setup.all.forEach((p, i) => {
    for (const m of views[i]) if (m.status === 'connected' && m.connected) sees.add(`${p.memberId}>${m.memberId}`);
  });
  let pairs = 0;
  for (let i = 0; i < setup.all.length; i++) {
    for (let j = i + 1; j < setup.all.length; j++) {
      const a = setup.all[i].memberId;
      const b = setup.all[j].memberId;
      if (sees.has(`${a}>${b}`) && sees.has(`${b}>${a}`)) pairs++;
    }
  }
  return pairs;
}
