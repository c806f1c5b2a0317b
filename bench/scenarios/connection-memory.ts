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
}

/** Tops the system up to `connections` CREATE'd connections, then reads VmRSS of the agent and the chat. */
export async function runConnectionMemory(ctx: BenchContext, system: BenchSystem, users: string[], idle: { agentMb: number; chatMb: number }): Promise<MemoryRun> {
  const { rows } = await system.pg.query(`SELECT count(*)::int AS n FROM connections`);
  const missing = Math.max(0, ctx.opts.memoryConnections - rows[0].n);
  let topUpPerSecond = NaN;
  if (missing > 0) topUpPerSecond = (await runOurThroughput(ctx, system, users, missing)).perSecond;
  const connections = (await system.pg.query(`SELECT count(*)::int AS n FROM agent.connections`)).rows[0].n;
  const run = {
    connections,
    agentMb: residentMb(system.agent.child.pid),
    chatMb: residentMb(system.chat.child.pid),
    agentIdleMb: idle.agentMb,
    chatIdleMb: idle.chatMb,
    topUpPerSecond,
  };
  ctx.log(`  memory with ${connections} connections: agent ${run.agentMb.toFixed(0)} MB (idle ${idle.agentMb.toFixed(0)}), chat ${run.chatMb.toFixed(0)} MB (idle ${idle.chatMb.toFixed(0)})`);
  return run;
}
