import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE, AgentCommand, AgentEvent, parseAgentEvent } from '@gc/contracts';
import { CONTRACT_JOB_OPTIONS, bullConnectionOptions, openQueue } from '@gc/queueing';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { eventually } from './eventually';
import { freePort } from './free-port';
import { RELAY_TEST_ADMIN_TOKEN, RelayFaults, setRelayFaults } from './relay-admin';
import { ServiceProcess, startService } from './service-process';
import { SHARED_REDIS_URL, TestDatabase, createTestDatabase, dropKeys, scanKeys, testQueuePrefix, uniqueSuffix } from './test-isolation';

export interface StackRelay {
  name: string;
  port: number;
  url: string;
  process: ServiceProcess | null;
  /** SIGTERM; the relay's data stays in Redis. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same RELAY_NAME and Redis. */
  start(): Promise<void>;
  setFaults(faults: RelayFaults): Promise<void>;
  /** How many queues this relay holds (its `q:` keys in Redis). */
  queueCount(): Promise<number>;
  /** How many distinct messages a queue ever accepted (the relay's `ids:` set). */
  acceptedMessages(recipientId: string): Promise<number>;
}

export interface StackAgent {
  label: string;
  port: number;
  url: string;
  process: ServiceProcess;
  logFile: string;
}

export interface EventCollector {
  /** Every event received so far, in arrival order (duplicates by eventId included once). */
  all(): AgentEvent[];
  of<T extends AgentEvent['type']>(type: T): Array<Extract<AgentEvent, { type: T }>>;
  /** Waits until `predicate` finds an event; returns it. */
  waitFor<E extends AgentEvent = AgentEvent>(predicate: (e: AgentEvent) => boolean, what: string, timeoutMs?: number): Promise<E>;
  /** How many times a job with this eventId was processed (BullMQ dedupes re-adds while the job is kept). */
  deliveries(eventId: string): number;
}

export interface AgentStack {
  label: string;
  prefix: string;
  redisUrl: string;
  db: TestDatabase;
  dbUrl: string;
  relays: StackRelay[];
  agents: StackAgent[];
  commandsQueue: Queue;
  eventsQueue: Queue;
  events: EventCollector;
  /** Enqueues a command as the chat does: name = type, job id = corrId. */
  send(command: AgentCommand): Promise<Job>;
  startAgent(env?: Record<string, string>): Promise<StackAgent>;
  /** A query on the test database (the agent's tables are in schema `agent`). */
  query<R = any>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export interface AgentStackOptions {
  label: string;
  relays: number;
  agents?: number;
  env?: Record<string, string>;
  /** Redis for queues and relays; the shared one by default. */
  redisUrl?: string;
  /** The relays' storage, when it must survive a FLUSHDB of the queues' database. */
  relayRedisUrl?: string;
}

/**
 * The whole agent side of the system for one test file: its own database and queue prefix, n built
 * relays (own RELAY_NAMEs on one Redis), the built agent(s) as real processes, a producer on
 * agent-commands and a collector of every agent-events job (the test plays the chat).
 */
export async function startAgentStack(opts: AgentStackOptions): Promise<AgentStack> {
  const { label } = opts;
  const redisUrl = opts.redisUrl ?? SHARED_REDIS_URL;
  const prefix = testQueuePrefix(label);
  const db = await createTestDatabase(label);
  const relays: StackRelay[] = [];
  const agents: StackAgent[] = [];
  let events: EventCollector & { close(): Promise<void> };
  let commandsQueue: Queue | undefined;
  let eventsQueue: Queue | undefined;

  const stop = async () => {
    await Promise.allSettled(agents.map((a) => a.process.stop()));
    await Promise.allSettled(relays.map((r) => r.stop()));
    await events?.close();
    await commandsQueue?.obliterate({ force: true }).catch(() => undefined);
    await eventsQueue?.obliterate({ force: true }).catch(() => undefined);
    await commandsQueue?.close();
    await eventsQueue?.close();
    await Promise.allSettled(relays.map((r) => dropKeys(opts.relayRedisUrl ?? redisUrl, `relay:${r.name}:*`)));
    await db.drop();
  };

  try {
    for (let i = 0; i < opts.relays; i++) relays.push(await startStackRelay(`${label}-relay${i}`, opts.relayRedisUrl ?? redisUrl));
    commandsQueue = openQueue(AGENT_COMMANDS_QUEUE, { redisUrl, prefix });
    eventsQueue = openQueue(AGENT_EVENTS_QUEUE, { redisUrl, prefix });
    events = collectEvents(redisUrl, prefix);
    const startAgent = async (env: Record<string, string> = {}): Promise<StackAgent> => {
      const port = await freePort();
      const agentLabel = `${label}-agent${agents.length}`;
      const process = await startService('agent', agentLabel, port, {
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        DATABASE_URL: db.url,
        RELAY_URLS: relays.map((r) => r.url).join(','),
        RELAY_TIMEOUT_MS: '1000',
        RETRY_BASE_MS: '100',
        RETRY_FACTOR: '1.5',
        RETRY_MAX_MS: '1000',
        ...opts.env,
        ...env,
      });
      const agent = { label: agentLabel, port, url: process.url, process, logFile: process.logFile };
      agents.push(agent);
      return agent;
    };
    // Together, as replicas start: the agent serialises its migrations with an advisory lock.
    await Promise.all(Array.from({ length: opts.agents ?? 1 }, () => startAgent()));
    const queue = commandsQueue;
    return {
      label,
      prefix,
      redisUrl,
      db,
      dbUrl: db.url,
      relays,
      agents,
      commandsQueue: queue,
      eventsQueue,
      events,
      send: (command) => queue.add(command.type, command, { ...CONTRACT_JOB_OPTIONS, jobId: command.corrId }),
      startAgent,
      query: async (sql, params) => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
          return (await client.query(sql, params)).rows;
        } finally {
          await client.end();
        }
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function startStackRelay(label: string, redisUrl: string): Promise<StackRelay> {
  const name = `t-${label}-${uniqueSuffix()}`;
  const port = await freePort();
  const env = { RELAY_REDIS_URL: redisUrl, REDIS_URL: redisUrl, RELAY_NAME: name, RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN };
  const relay: StackRelay = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    process: null,
    async stop() {
      await relay.process?.stop();
      relay.process = null;
    },
    async start() {
      relay.process = await startService('relay', label, port, env);
    },
    async setFaults(faults) {
      await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, faults);
    },
    async queueCount() {
      return (await scanKeys(redisUrl, `relay:${name}:q:*`)).length;
    },
    async acceptedMessages(recipientId) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        return await redis.scard(`relay:${name}:ids:${recipientId}`);
      } finally {
        redis.disconnect();
      }
    },
  };
  await relay.start();
  return relay;
}

function collectEvents(redisUrl: string, prefix: string): EventCollector & { close(): Promise<void> } {
  const seen: AgentEvent[] = [];
  const ids = new Set<string>();
  const deliveries = new Map<string, number>();
  const worker = new Worker(
    AGENT_EVENTS_QUEUE,
    async (job) => {
      const event = parseAgentEvent(job.data);
      deliveries.set(event.eventId, (deliveries.get(event.eventId) ?? 0) + 1);
      if (!ids.has(event.eventId)) {
        ids.add(event.eventId);
        seen.push(event);
      }
    },
    { ...bullConnectionOptions({ redisUrl, prefix }), concurrency: 16 },
  );
  return {
    all: () => [...seen],
    of: (type) => seen.filter((e) => e.type === type) as never,
    waitFor: (predicate, what, timeoutMs = 60_000) =>
      eventually(() => seen.find(predicate), { what, timeoutMs }) as Promise<never>,
    deliveries: (eventId) => deliveries.get(eventId) ?? 0,
    close: () => worker.close(),
  };
}


