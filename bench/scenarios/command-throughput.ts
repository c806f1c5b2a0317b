import { Client } from 'pg';
import { SHARED_REDIS_URL, createTestDatabase, testQueuePrefix } from '../../test/support/test-isolation';
import { startNaivePeer } from '../baseline/naive-peer-process';
import { completedCount } from '../measure/command-completion';
import { CpuMeter, postgresBackends } from '../measure/cpu-time';
import { ThroughputRun, driveThroughput, post202 } from '../measure/load-driver';
import { BenchSystem } from '../system/bench-system';
import { BenchContext } from './bench-context';

/** How a throughput run is driven: `users` users taking turns, `concurrency` callers, closed loop. */
export interface ThroughputLoad {
  users: number;
  commands: number;
  concurrency: number;
}

/**
 * The naive peer (bench/baseline) on the same Redis and Postgres, driven like ours: one run per load
 * (e.g. 20 users, then one user with 50 callers) on the same peer processes and database.
 */
export async function runBaselineThroughput(ctx: BenchContext, loads: ThroughputLoad[]): Promise<ThroughputRun[]> {
  const db = await createTestDatabase('bench-baseline');
  const prefix = testQueuePrefix('bench-baseline');
  const peer = await startNaivePeer({ DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, QUEUE_PREFIX: prefix });
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    const completed = async () => Number((await pg.query(`SELECT count(*) AS n FROM baseline_commands WHERE status = 'completed'`)).rows[0].n);
    const runs: ThroughputRun[] = [];
    // A warm-up first, as ours gets: a cold peer's JIT would flatter the ratio and inflate the
    // CPU-per-command unit the convergence runs are expressed in.
    await driveThroughput({ commands: Math.min(50, loads[0].commands), concurrency: loads[0].concurrency, send: () => post202(`${peer.frontUrl}/users/warm-up/commands`), completed });
    for (const load of loads) {
      const run = await driveThroughput({
        commands: load.commands,
        concurrency: load.concurrency,
        send: (i) => post202(`${peer.frontUrl}/users/baseline-user-${i % load.users}/commands`),
        completed,
        cpu: new CpuMeter(async () => ({
          node: [peer.pids.front, peer.pids.worker].filter((p): p is number => !!p),
          postgres: await postgresBackends(pg, db.name),
        })),
      });
      ctx.log(`  baseline, ${load.users} user(s), ${load.concurrency} callers: ${run.commands} commands in ${run.seconds.toFixed(1)} s = ${run.perSecond.toFixed(0)}/s; CPU ms/command ${cpuLine(run)}`);
      runs.push(run);
    }
    return runs;
  } finally {
    await pg.end();
    await peer.stop();
    await db.drop();
  }
}

/** Users the CREATE commands are spread over (a command's user is part of its key everywhere). */
export async function createUsers(system: BenchSystem, n: number, namePrefix = 'bench-user'): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => system.api.createUser(`${namePrefix}-${i}`)));
}

/** POST /users/:u/invitations: a contact with a CREATE command, done once the invitation is stored. */
export async function runOurThroughput(
  ctx: BenchContext,
  system: BenchSystem,
  users: string[],
  commands = ctx.opts.commands,
  concurrency = ctx.opts.concurrency,
  chatUrls = [system.chat.url],
): Promise<ThroughputRun> {
  // Several chats: request i goes to chat i mod n, as a round-robin load balancer would send it.
  const run = await driveThroughput({
    commands,
    concurrency,
    send: (i) => post202(`${chatUrls[i % chatUrls.length]}/users/${users[i % users.length]}/invitations`, undefined, system.api.tokenOf(users[i % users.length])),
    completed: () => completedCount(system.pg, 'CREATE_CONTACT_INVITATION'),
    cpu: systemCpuMeter(system),
  });
  ctx.log(`  ours, ${users.length} user(s), ${concurrency} callers${chatUrls.length > 1 ? `, ${chatUrls.length} chats` : ''}: ${run.commands} CREATE commands in ${run.seconds.toFixed(1)} s = ${run.perSecond.toFixed(0)}/s (accepted ${run.acceptedPerSecond.toFixed(0)}/s); CPU ms/command ${cpuLine(run)}`);
  return run;
}

/** chat(s), agent(s), relays and the Postgres backends of the system's database. */
export function systemCpuMeter(system: BenchSystem): CpuMeter {
  return new CpuMeter(async () => ({
    chat: [system.chat, ...system.extraChats].map((c) => c.child.pid!),
    agent: [system.agent, ...system.standbyAgents].map((a) => a.child.pid!),
    relays: system.relays.map((r) => r.process.child.pid!),
    postgres: await postgresBackends(system.pg, system.db.name),
  }));
}

export function cpuLine(run: ThroughputRun): string {
  const cpu = run.cpuMsPerCommand ?? {};
  const total = Object.values(cpu).reduce((s, v) => s + v, 0);
  return `${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} (total ${total.toFixed(1)})`;
}
