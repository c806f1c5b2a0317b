import Redis from 'ioredis';
import { CommandCompletionProbe } from '../measure/command-completion';
import { post202 } from '../measure/load-driver';
import { createUsers } from '../scenarios/command-throughput';
import { startBenchSystem } from '../system/bench-system';

/**
 * Where an unloaded CREATE's round trip goes, stage by stage, from each side's own clock (one
 * machine): `node dist/bench/probes/latency-stages.js [samples=40]` (after `npm run build`).
 * POST sent → 202 → command job added (chat) → taken (agent) → journaled → job finished → result
 * event added → taken (chat) → row completed → seen by the bench's 1 ms poll; medians in ms.
 */
async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 40);
  const system = await startBenchSystem({ label: 'probe-latency' });
  const redis = new Redis(system.redisUrl);
  const probe = new CommandCompletionProbe(system.pg, 1);
  probe.start();
  const stages: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (stages[name] ??= []).push(ms);
  try {
    const users = await createUsers(system, 5);
    for (let i = 0; i < 5 + samples; i++) {
      const user = users[i % users.length];
      const sentWall = Date.now();
      const sent = performance.now();
      const { contactId } = await post202(`${system.chat.url}/users/${user}/invitations`, undefined, system.api.tokenOf(user));
      const accepted = performance.now();
      const seen = (await probe.completion(contactId)) - sent;
      if (i < 5) continue; // warm-up
      const { rows } = await system.pg.query(
        `SELECT c.corr_id, extract(epoch FROM c.updated_at) * 1000 AS done, extract(epoch FROM a.created_at) * 1000 AS journaled
           FROM contacts k JOIN commands c ON c.conn_id = k.conn_id JOIN agent.commands a ON a.corr_id = c.corr_id WHERE k.id = $1`,
        [contactId],
      );
      const corrId = rows[0].corr_id as string;
      const keyOf = async (pattern: string) => (await redis.keys(pattern)).find((k) => !k.endsWith(':logs') && !k.endsWith(':lock'));
      const commandJob = await redis.hgetall((await keyOf(`${system.prefix}*:agent-commands:${corrId}`))!);
      const eventJob = await redis.hgetall((await keyOf(`${system.prefix}*:agent-events:r-${corrId}`))!);
      const t = (ms: number | string) => Number(ms) - sentWall;
      add('202', accepted - sent);
      add('command job added', t(commandJob.timestamp));
      add('taken by the agent', t(commandJob.processedOn));
      add('journaled', t(rows[0].journaled));
      add('command job finished', t(commandJob.finishedOn));
      add('result event added', t(eventJob.timestamp));
      add('taken by the chat', t(eventJob.processedOn));
      add('row completed', t(rows[0].done));
      add('event job finished', t(eventJob.finishedOn));
      add('seen by the poll', seen);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const [name, xs] of Object.entries(stages)) console.log(`${median(xs).toFixed(1).padStart(7)} ms  ${name}`);
  } finally {
    await probe.stop();
    await redis.quit();
    await system.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
