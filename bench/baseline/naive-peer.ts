import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { CONTRACT_JOB_OPTIONS, RESILIENT_WORKER_OPTIONS, bullConnectionOptions, openQueue } from '@gc/queueing';
import { Worker } from 'bullmq';
import { Pool } from 'pg';

/**
 * The naive peer of issue 5, as two processes shaped like ours (front ≈ chat, worker ≈ agent):
 * per command (`POST /users/:u/commands`, the user kept on the row as ours keeps it on the contact)
 * the front inserts a row in Postgres and adds a BullMQ job; the worker adds an event
 * job; the front's second worker marks the row completed. No relay IO, no continuation, no
 * idempotency — the cost floor of "a row and two jobs" on the same Redis and Postgres.
 * ROLE=front|worker, PORT (front), DATABASE_URL, REDIS_URL, QUEUE_PREFIX, CONCURRENCY.
 */
const COMMANDS = 'baseline-commands';
const EVENTS = 'baseline-events';

async function main(): Promise<void> {
  const env = process.env;
  const queueConfig = { redisUrl: env.REDIS_URL!, prefix: env.QUEUE_PREFIX! };
  if (env.ROLE === 'worker') {
    const events = openQueue(EVENTS, queueConfig);
    const worker = new Worker(COMMANDS, async (job) => void (await events.add('INV', { id: job.data.id }, { ...CONTRACT_JOB_OPTIONS, jobId: `inv-${job.data.id}` })), {
      ...bullConnectionOptions(queueConfig),
      ...RESILIENT_WORKER_OPTIONS,
      concurrency: Number(env.CONCURRENCY ?? 32),
    });
    const server = createServer((_req, res) => res.writeHead(200).end('ok'));
    server.listen(Number(env.PORT), '127.0.0.1');
    process.on('SIGTERM', () => void worker.close().then(() => events.close()).then(() => process.exit(0)));
    return;
  }
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 20 });
  await pool.query(`CREATE TABLE IF NOT EXISTS baseline_commands (id uuid PRIMARY KEY, user_id text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  const commands = openQueue(COMMANDS, queueConfig);
  const events = new Worker(EVENTS, async (job) => void (await pool.query(`UPDATE baseline_commands SET status = 'completed' WHERE id = $1`, [job.data.id])), {
    ...bullConnectionOptions(queueConfig),
    ...RESILIENT_WORKER_OPTIONS,
    concurrency: 8,
  });
  const server = createServer((req, res) => {
    const user = req.method === 'POST' ? /^\/users\/([^/]+)\/commands$/.exec(req.url ?? '')?.[1] : undefined;
    if (user) {
      const id = randomUUID();
      req.resume();
      pool
        .query(`INSERT INTO baseline_commands (id, user_id, status) VALUES ($1, $2, 'pending')`, [id, user])
        .then(() => commands.add('CREATE', { id }, { ...CONTRACT_JOB_OPTIONS, jobId: id }))
        .then(() => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id })))
        .catch((err: Error) => res.writeHead(500).end(err.message));
      return;
    }
    res.writeHead(req.url === '/health' ? 200 : 404).end();
  });
  server.listen(Number(env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => void events.close().then(() => commands.close()).then(() => pool.end()).then(() => process.exit(0)));
}

main().catch((err) => {
  process.stderr.write(`naive peer failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
