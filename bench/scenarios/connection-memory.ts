import { heapUsedMb } from '../measure/heap-metrics';
import { residentMb } from '../measure/process-memory';
import { BenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';
import { runOurThroughput } from './command-throughput';

export interface MemoryRun {
  connections: number;
  agentMb: number;
  chatMb: number;
  agentIdleMb: number;
  chatIdleMb: number;
  topUpPerSecond: number;
  /** RSS before the top-up (after throughput and latency). */
  warm: { connections: number; agentMb: number; chatMb: number };
  /** Linear from warm → measured: measured + slope × the connections still missing to 10k. */
  agentAt10kMb: number;
  chatAt10kMb: number;
  /** V8 heap in use at the end (from /metrics), to tell live data from heap sized for the load. */
  agentHeapMb: number;
  chatHeapMb: number;
}

export const MEMORY_TARGET_CONNECTIONS = 10_000;

/** Tops the system up to `connections` CREATE'd connections, then reads VmRSS of the agent and the chat. */
export async function runConnectionMemory(ctx: BenchContext, system: BenchSystem, users: string[], idle: { agentMb: number; chatMb: number }): Promise<MemoryRun> {
  const { rows } = await system.pg.query(`SELECT count(*)::int AS n FROM connections`);
  // A warm process's RSS before the top-up: the slope from here to the end is per connection, not warm-up.
  const warm = { connections: rows[0].n as number, agentMb: residentMb(system.agent.child.pid), chatMb: residentMb(system.chat.child.pid) };
  const missing = Math.max(0, ctx.opts.memoryConnections - rows[0].n);
  let topUpPerSecond = NaN;
  if (missing > 0) topUpPerSecond = (await runOurThroughput(ctx, system, users, missing)).perSecond;
  const connections = (await system.pg.query(`SELECT count(*)::int AS n FROM agent.connections`)).rows[0].n;
  const agentMb = residentMb(system.agent.child.pid);
  const chatMb = residentMb(system.chat.child.pid);
  const added = connections - warm.connections;
  const at10k = (warmMb: number, mb: number) =>
    connections >= MEMORY_TARGET_CONNECTIONS || added <= 0 ? mb : mb + (Math.max(0, mb - warmMb) * (MEMORY_TARGET_CONNECTIONS - connections)) / added;
  const run = {
    connections,
    agentHeapMb: await heapUsedMb(system.agent.url),
    chatHeapMb: await heapUsedMb(system.chat.url),
    agentMb,
    chatMb,
    agentAt10kMb: at10k(warm.agentMb, agentMb),
    chatAt10kMb: at10k(warm.chatMb, chatMb),
    warm,
    agentIdleMb: idle.agentMb,
    chatIdleMb: idle.chatMb,
    topUpPerSecond,
  };
  ctx.log(`  memory with ${connections} connections: agent ${run.agentMb.toFixed(0)} MB (idle ${idle.agentMb.toFixed(0)}), chat ${run.chatMb.toFixed(0)} MB (idle ${idle.chatMb.toFixed(0)}); at 10k: agent ${run.agentAt10kMb.toFixed(0)} MB, chat ${run.chatAt10kMb.toFixed(0)} MB; heap used agent ${run.agentHeapMb.toFixed(0)} MB, chat ${run.chatHeapMb.toFixed(0)} MB`);
  return run;
}
