import { cpus } from 'node:os';
import { ThroughputRun } from '../measure/load-driver';
import { MachineCpuMeter } from '../measure/machine-cpu';
import { fmt } from '../report/figure';
import { startBenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';
import { cpuLine, createUsers, runOurThroughput } from './command-throughput';

export interface ReplicaRun {
  /** n agents and n chats on one Redis, one Postgres database and the same two relays. */
  replicas: number;
  run: ThroughputRun;
  /** CPU ms per command over every process of the system (all agents, chats, relays, its Postgres backends). */
  cpuMsPerCommand: number;
  /** The system's CPU over the run ÷ (wall time × cores): how much of the machine the system used. */
  systemShare: number;
  /** /proc/stat: the share of all cores busy over the run, other work on the machine included. */
  machineShare: number;
  cores: number;
}

/**
 * Issue 13 item 4: the throughput run's closed-loop CREATE load (same users, commands, callers)
 * against n agents + n chats, the requests spread round-robin over the chats' URLs as a load
 * balancer would. A fresh system per n, so one run's backlog or warm caches do not help the next.
 */
export async function runReplicaScaling(ctx: BenchContext, replicas: number): Promise<ReplicaRun> {
  const system = await startBenchSystem({
    label: `replicas${replicas}`,
    standbyAgents: replicas - 1,
    extraChats: replicas - 1,
    chatEnv: ctx.opts.chatEnv,
    agentEnv: ctx.opts.agentEnv,
  });
  try {
    const users = await createUsers(system, 20);
    const chatUrls = [system.chat, ...system.extraChats].map((c) => c.url);
    // Warm-up on every chat (JIT, pools, relay sessions of every agent), as the throughput run does.
    await runOurThroughput(ctx, system, users, Math.min(50, ctx.opts.commands) * replicas, ctx.opts.concurrency, chatUrls);
    const machine = new MachineCpuMeter();
    machine.start();
    const run = await runOurThroughput(ctx, system, users, ctx.opts.commands, ctx.opts.concurrency, chatUrls);
    const machineShare = machine.stop();
    const cpuMsPerCommand = Object.values(run.cpuMsPerCommand ?? {}).reduce((s, v) => s + v, 0);
    const cores = cpus().length;
    const systemShare = (cpuMsPerCommand * run.commands) / 1000 / (run.seconds * cores);
    ctx.log(`  ${replicas} agent(s) + ${replicas} chat(s): ${fmt(run.perSecond, 0)}/s, CPU ms/command ${cpuLine(run)}; the system used ${fmt(systemShare * 100, 0)}% of ${cores} cores, the machine was ${fmt(machineShare * 100, 0)}% busy`);
    return { replicas, run, cpuMsPerCommand, systemShare, machineShare, cores };
  } finally {
    await system.stop();
  }
}
