import { GroupSetup, setUpGroup } from '../../test/support/chat-stack';
import { BenchContext } from './bench-context';
import { BenchSystem, startBenchSystem } from '../system/bench-system';
import { fmt } from '../report/figure';
import { agentAttempts, commandTimings } from '../measure/command-timings';
import { systemCpuMeter } from './command-throughput';

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
  /** Chat commands recorded from the first join to the end of the run. */
  chatCommands?: number;
  /**
   * CPU ms per pair, by process group, from the first join to the end of the run: unlike the time,
   * barely changed by other load on the machine.
   */
  cpuMsPerPair?: Record<string, number>;
  /** Why the run could not be measured (setup failed), if it could not. */
  error?: string;
  /** How long the run was given before it was cut. */
  timeoutMs: number;
  /** Pairs connected over time since the first join, one point per poll (the convergence curve). */
  curve: CurvePoint[];
}

export interface CurvePoint {
  seconds: number;
  pairs: number;
}

const POLL_MS = 500;

/**
 * Through the chat API: host ↔ member contacts, a group, members added, then (faults on
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
  let commandsBefore = 0;
  const cpu = systemCpuMeter(system);
  const setup = await setUpGroup(api, `Host${members}`, names, {
    concurrentJoins: true,
    timeoutMs: 180_000,
    beforeJoins: async () => {
      if (faultRate > 0) await system.setFaults({ failureRate: faultRate });
      commandsBefore = await commandCount(system);
      await cpu.start();
      joinsStarted = performance.now();
    },
  });
  const setupSeconds = (joinsStarted - setupStarted) / 1000;
  const pairs = (setup.all.length * (setup.all.length - 1)) / 2;
  const deadline = joinsStarted + timeoutMs;
  let reached = 0;
  let seconds = NaN;
  const curve: CurvePoint[] = [{ seconds: 0, pairs: 0 }];
  while (performance.now() < deadline) {
    // Polled in the database, so the chat's CPU per pair is not the cost of the bench's polling;
    // the API confirms the full mesh once the database shows it.
    reached = await connectedPairsInDb(system, setup.groupId);
    if (reached === pairs) reached = await connectedPairs(system, setup);
    curve.push({ seconds: (performance.now() - joinsStarted) / 1000, pairs: reached });
    if (reached === pairs) {
      seconds = (performance.now() - joinsStarted) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const used = await cpu.stop();
  const chatCommands = (await commandCount(system)) - commandsBefore;
  const cpuMsPerPair = Object.fromEntries(Object.entries(used).map(([k, v]) => [k, (v * 1000) / Math.max(1, reached)]));
  ctx.log(`  group of host + ${members} at ${faultRate * 100}% faults: ${reached}/${pairs} pairs, ${Number.isNaN(seconds) ? 'not converged' : `${fmt(seconds)} s`} (setup ${fmt(setupSeconds)} s)`);
  ctx.log(`  ${chatCommands} chat commands (${fmt(chatCommands / Math.max(1, reached))} per pair); ${cpuPerPairLine(cpuMsPerPair, chatCommands / Math.max(1, reached))}`);
  if (process.env.BENCH_DEBUG) {
    ctx.log(`  curve ${curve.map((p) => `${fmt(p.seconds, 0)}s:${p.pairs}`).join(' ')}`);
    for (const t of await commandTimings(system.pg)) ctx.log(`  ${JSON.stringify(t)}`);
    for (const t of await agentAttempts(system.pg)) ctx.log(`  agent ${JSON.stringify(t)}`);
  }
  const pendingAtEnd = (await system.pg.query(`SELECT count(*)::int AS n FROM commands WHERE status = 'pending'`)).rows[0].n;
  return { members, faultRate, pairs, seconds, pairsReached: reached, setupSeconds, pendingAtEnd, chatCommands, cpuMsPerPair, timeoutMs, curve };
}

async function commandCount(system: BenchSystem): Promise<number> {
  return (await system.pg.query(`SELECT count(*)::int AS n FROM commands`)).rows[0].n;
}

/** "CPU ms/pair chat X, agent Y, ... (total T); chat ms/command C" */
export function cpuPerPairLine(cpu: Record<string, number>, commandsPerPair: number): string {
  const parts = Object.entries(cpu).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  return `CPU ms/pair ${parts} (total ${fmt(cpuMsPerPairTotal(cpu))}); chat ${fmt((cpu.chat ?? NaN) / commandsPerPair, 2)} ms/command`;
}

/** CPU ms per pair over every process of the system. */
export function cpuMsPerPairTotal(cpu: Record<string, number> | undefined): number {
  return cpu ? Object.values(cpu).reduce((s, v) => s + v, 0) : NaN;
}

/** What connectedPairs counts, read from the chat's tables as GET …/members computes it. */
async function connectedPairsInDb(system: BenchSystem, groupId: string): Promise<number> {
  const { rows } = await system.pg.query(
    `WITH sees AS (
       SELECT g.self_member_id AS a, m.id AS b FROM groups g
         JOIN members m ON m.user_id = g.user_id AND m.group_id = g.id AND NOT m.is_self AND m.status = 'connected'
         JOIN connections c ON c.id = m.conn_id AND c.stage = 'connected'
        WHERE g.id = $1)
     SELECT count(*)::int AS n FROM sees s JOIN sees t ON t.a = s.b AND t.b = s.a WHERE s.a < s.b`,
    [groupId],
  );
  return rows[0].n;
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
