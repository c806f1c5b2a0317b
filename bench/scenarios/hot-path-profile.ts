import { join } from 'node:path';
import { CpuProfileSummary, summariseCpuProfiles } from '../profile/cpu-profile-summary';
import { RedisCommandCounter } from '../profile/redis-command-counts';
import { completedCount } from '../measure/command-completion';
import { driveThroughput, post202 } from '../measure/load-driver';
import { startBenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';
import { createUsers } from './command-throughput';

export interface HotPathProfile {
  commands: number;
  perSecond: number;
  redisPerCommand: Array<{ owner: string; command: string; perCommand: number }>;
  redisTotals: { bullmq: number; relay: number };
  cpu: Array<{ app: string } & CpuProfileSummary>;
}

/**
 * A separate system with --cpu-prof on every process (so the measured figures above carry no
 * profiling overhead) and Redis MONITOR counting this system's commands, over `commands` CREATEs.
 */
export async function runHotPathProfile(ctx: BenchContext, commands: number): Promise<HotPathProfile> {
  const dir = join(ctx.profileDir, `run-${Date.now()}`);
  const system = await startBenchSystem({ label: 'profile', cpuProfileDir: dir, chatEnv: ctx.opts.chatEnv, agentEnv: ctx.opts.agentEnv });
  let counter: RedisCommandCounter | undefined;
  let run;
  try {
    const users = await createUsers(system, 20);
    counter = new RedisCommandCounter(system.redisUrl, [
      { owner: 'bullmq', marker: system.prefix },
      ...system.relays.map((r) => ({ owner: 'relay', marker: `relay:${r.name}` })),
    ]);
    await counter.start();
    run = await driveThroughput({
      commands,
      concurrency: ctx.opts.concurrency,
      send: (i) => post202(`${system.chat.url}/users/${users[i % users.length]}/invitations`, undefined, system.api.tokenOf(users[i % users.length])),
      completed: () => completedCount(system.pg, 'CREATE_CONTACT_INVITATION'),
    });
  } finally {
    counter?.stop();
    await system.stop(); // graceful exits write the .cpuprofile files
  }
  const redisPerCommand = [...counter!.counts.entries()]
    .map(([key, n]) => ({ owner: key.split(' ')[0], command: key.split(' ')[1], perCommand: n / commands }))
    .sort((a, b) => b.perCommand - a.perCommand);
  const cpu = ['chat', 'agent', 'relay0', 'relay1'].flatMap((app) => summariseCpuProfiles(join(dir, app)).map((s) => ({ app, ...s })));
  ctx.log(`  profile: ${commands} CREATEs at ${run.perSecond.toFixed(0)}/s; Redis per command: BullMQ ${(counter!.total('bullmq') / commands).toFixed(1)}, relay ${(counter!.total('relay') / commands).toFixed(1)}`);
  if (process.env.BENCH_DEBUG) ctx.log(`  redis ${JSON.stringify(redisPerCommand.slice(0, 20))}`);
  for (const c of cpu) ctx.log(`  cpu ${c.app}: busy ${c.busySeconds.toFixed(1)} s; ${c.byPackage.slice(0, 5).map((p) => `${p.name} ${p.percent.toFixed(0)}%`).join(', ')}`);
  return {
    commands,
    perSecond: run.perSecond,
    redisPerCommand,
    redisTotals: { bullmq: counter!.total('bullmq') / commands, relay: counter!.total('relay') / commands },
    cpu,
  };
}
