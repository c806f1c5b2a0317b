import { cpus } from 'node:os';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL } from '../../test/support/test-isolation';
import { ThroughputRun } from '../measure/load-driver';
import { cpuCaps } from '../measure/cpu-cap';
import { MachineCpuMeter } from '../measure/machine-cpu';
import { AGENT_POOL_SIZE, CHAT_POOL_SIZE, freePostgresConnections, poolConnectionsNeeded } from '../measure/postgres-connections';
import { fmt } from '../report/figure';
import { startBenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';
import { cpuLine, createUsers, runOurThroughput } from './command-throughput';

export interface ReplicaRun {
  /** n agents and n chats on one Redis, one Postgres database and the same two relays. */
  replicas: number;
  /** Cores each agent and each chat was capped to (cgroup quota), 0 for none: see measure/cpu-cap.ts. */
  cpuCap: number;
  run: ThroughputRun;
  /** CPU ms per command over every process of the system (all agents, chats, relays, its Postgres backends). */
  cpuMsPerCommand: number;
  /** The system's CPU over the run ÷ (wall time × cores): how much of the machine the system used. */
  systemShare: number;
  /** /proc/stat: the share of all cores busy over the run, other work on the machine included. */
  machineShare: number;
  cores: number;
}

/** A replica count the run could not measure, and why (shown in the report instead of its figures). */
export interface ReplicaNotRun {
  replicas: number;
  cpuCap: number;
  notRun: string;
}

export type ReplicaOutcome = ReplicaRun | ReplicaNotRun;

export const CAPPED_MIN_COMMANDS = 1_000;

export const measured = (x: ReplicaOutcome): x is ReplicaRun => !('notRun' in x);

/** The 1 + 1 run a row's scaling is read against: the same CPU cap, one replica. */
export function singlePairOf(all: readonly ReplicaOutcome[], x: ReplicaOutcome): ReplicaRun | undefined {
  return all.filter(measured).find((y) => y.replicas === 1 && y.cpuCap === x.cpuCap);
}

/**
 * Why n + n cannot run on this Postgres server now, if it cannot: the pools of n chats and n
 * agents at full load would pass max_connections (the server is shared; past it every new
 * connection is refused and the chat answers 500, which would measure the server's limit as ours).
 */
export async function replicaConnectionShortfall(replicas: number, env: { chat: Record<string, string>; agent: Record<string, string> }): Promise<string | undefined> {
  const pools = { chat: Number(env.chat.DATABASE_POOL_SIZE ?? CHAT_POOL_SIZE), agent: Number(env.agent.DATABASE_POOL_SIZE ?? AGENT_POOL_SIZE) };
  const need = poolConnectionsNeeded(replicas, pools) + 2; // + the bench's own client and a migration's
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { free, max, inUse } = await freePostgresConnections(admin);
    if (need <= free) return undefined;
    return `needs ${need} Postgres connections (${replicas} × (chat pool ${pools.chat} + agent pool ${pools.agent}) + 2), the server has ${free} free (max_connections ${max}, ${inUse} in use by other work)`;
  } finally {
    await admin.end();
  }
}
/**
 * Issue 13 item 4: the throughput run's closed-loop CREATE load (same users, commands, callers)
 * against n agents + n chats, the requests spread round-robin over the chats' URLs as a load
 * balancer would. A fresh system per n, so one run's backlog or warm caches do not help the next.
 */
export async function runReplicaScaling(ctx: BenchContext, replicas: number, cpuCap = 0): Promise<ReplicaOutcome> {
  // The same Postgres connections in all: n replicas share 1 + 1's pools (DATABASE_POOL_SIZE ÷ n),
  // so a count measures the processes, not more connections (and 3 + 3 fits a shared server).
  const env = {
    chat: { DATABASE_POOL_SIZE: String(Math.ceil(CHAT_POOL_SIZE / replicas)), ...ctx.opts.chatEnv },
    agent: { DATABASE_POOL_SIZE: String(Math.ceil(AGENT_POOL_SIZE / replicas)), ...ctx.opts.agentEnv },
  };
  const shortfall = await replicaConnectionShortfall(replicas, env);
  if (shortfall) {
    ctx.log(`  ${replicas} + ${replicas} not run: ${shortfall}`);
    return { replicas, cpuCap, notRun: shortfall };
  }
  // Before the system starts, so a machine that cannot cap costs no start-up.
  const caps = cpuCap > 0 ? cpuCaps(`replicas${replicas}`) : null;
  if (typeof caps === 'string') {
    ctx.log(`  ${replicas} + ${replicas} at ${cpuCap} cores each not run: ${caps}`);
    return { replicas, cpuCap, notRun: caps };
  }
  const system = await startBenchSystem({
    label: `replicas${replicas}${cpuCap > 0 ? '-capped' : ''}`,
    standbyAgents: replicas - 1,
    extraChats: replicas - 1,
    chatEnv: env.chat,
    agentEnv: env.agent,
  }).catch((err: unknown) => {
    caps?.release();
    throw err;
  });
  try {
    for (const p of [system.agent, ...system.standbyAgents, system.chat, ...system.extraChats]) caps?.cap(p.name, p.child.pid!, cpuCap);
    const users = await createUsers(system, 20);
    const chatUrls = [system.chat, ...system.extraChats].map((c) => c.url);
    // Warm-up on every chat (JIT, pools, relay sessions of every agent), as the throughput run does.
    await runOurThroughput(ctx, system, users, Math.min(50, ctx.opts.commands) * replicas, ctx.opts.concurrency, chatUrls);
    const machine = new MachineCpuMeter();
    machine.start();
    // Capped, a pair runs at a fraction of the uncapped rate: at least CAPPED_MIN_COMMANDS, so a run
    // lasts long enough (~25 s at 0.1 cores) for the quota's 100 ms periods to average out (500 gave
    // 2 + 2 anywhere from ×1.2 to ×1.8 of 1 + 1 in runs minutes apart).
    const commands = cpuCap > 0 ? Math.max(ctx.opts.commands, CAPPED_MIN_COMMANDS) : ctx.opts.commands;
    const run = await runOurThroughput(ctx, system, users, commands, ctx.opts.concurrency, chatUrls);
    const machineShare = machine.stop();
    const cpuMsPerCommand = Object.values(run.cpuMsPerCommand ?? {}).reduce((s, v) => s + v, 0);
    const cores = cpus().length;
    const systemShare = (cpuMsPerCommand * run.commands) / 1000 / (run.seconds * cores);
    const capped = cpuCap > 0 ? ` (each capped at ${cpuCap} cores)` : '';
    ctx.log(`  ${replicas} agent(s) + ${replicas} chat(s)${capped}: ${fmt(run.perSecond, 0)}/s, CPU ms/command ${cpuLine(run)}; the system used ${fmt(systemShare * 100, 0)}% of ${cores} cores, the machine was ${fmt(machineShare * 100, 0)}% busy`);
    return { replicas, cpuCap, run, cpuMsPerCommand, systemShare, machineShare, cores };
  } finally {
    caps?.release();
    await system.stop();
  }
}
