import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ChatApi } from '../../test/support/chat-stack';
import { freePort } from '../../test/support/free-port';
import { RELAY_TEST_ADMIN_TOKEN, RelayFaults, setRelayFaults } from '../../test/support/relay-admin';
import { ServiceProcess, TEST_OUTPUT_DIR, startService } from '../../test/support/service-process';
import { SHARED_REDIS_URL, TestDatabase, createTestDatabase, dropKeys, dropQueueKeys, testQueuePrefix, uniqueSuffix } from '../../test/support/test-isolation';

/**
 * The real system for one bench scenario: 2 relays, the agent and the chat as built processes, on a
 * private database and queue prefix. Unlike test/support's chat-stack it can restart the agent
 * (recovery), pass NODE_OPTIONS (--cpu-prof) and read each process's RSS.
 * The agent runs with the documented defaults (docs/architecture.md), not the tests' short timeouts.
 */
export interface BenchSystem {
  label: string;
  prefix: string;
  redisUrl: string;
  db: TestDatabase;
  relays: Array<{ name: string; url: string; process: ServiceProcess }>;
  agent: ServiceProcess;
  /** More agents on the same queues (a deployment runs two); the first agent is `agent`. */
  standbyAgents: ServiceProcess[];
  chat: ServiceProcess;
  /** More chats on the same queues and database (replicas behind a load balancer); the first is `chat`. */
  extraChats: ServiceProcess[];
  api: ChatApi;
  /** A pg client on the system's database, search_path chat. */
  pg: Client;
  setFaults(faults: RelayFaults): Promise<void>;
  /** kill -9 of the agent; resolves once the process is gone. */
  killAgent(): Promise<void>;
  /** Starts the agent again with the same env (plus `extraEnv`, e.g. a profiler); resolves once /health answers. */
  startAgent(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface BenchSystemOptions {
  label: string;
  relays?: number;
  agentEnv?: Record<string, string>;
  chatEnv?: Record<string, string>;
  /** Agents besides the first, on the same queues and database. */
  standbyAgents?: number;
  /** Chats besides the first, on the same queues and database. */
  extraChats?: number;
  /** Directory for --cpu-prof output; no profiling when absent. */
  cpuProfileDir?: string;
}

export async function startBenchSystem(opts: BenchSystemOptions): Promise<BenchSystem> {
  const { label } = opts;
  const redisUrl = SHARED_REDIS_URL;
  const prefix = testQueuePrefix(`bench-${label}`);
  const db = await createTestDatabase(`bench-${label}`);
  const relays: BenchSystem['relays'] = [];
  const started: ServiceProcess[] = [];
  const profileEnv = (app: string): Record<string, string> => (opts.cpuProfileDir ? cpuProfileEnv(join(opts.cpuProfileDir, app)) : {});
  let agent: ServiceProcess | undefined;
  let chat: ServiceProcess | undefined;
  let pg: Client | undefined;
  const stop = async () => {
    await pg?.end().catch(() => undefined);
    await chat?.stop().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    await Promise.allSettled(started.map((p) => p.stop()));
    await dropQueueKeys(redisUrl, prefix).catch(() => undefined);
    await Promise.allSettled(relays.map((r) => dropKeys(redisUrl, `relay:${r.name}:*`)));
    await db.drop().catch(() => undefined);
  };
  try {
    for (let i = 0; i < (opts.relays ?? 2); i++) {
      const name = `bench-${label}-relay${i}-${uniqueSuffix()}`;
      const process = await startService('relay', `bench-${label}-relay${i}`, await freePort(), {
        RELAY_REDIS_URL: redisUrl,
        REDIS_URL: redisUrl,
        RELAY_NAME: name,
        RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN,
        ...profileEnv(`relay${i}`),
      });
      started.push(process);
      relays.push({ name, url: process.url, process });
    }
    const agentPort = await freePort();
    const agentEnv = {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: db.url,
      RELAY_URLS: relays.map((r) => r.url).join(','),
      ...profileEnv('agent'),
      ...opts.agentEnv,
    };
    const startAgent = async (extraEnv: Record<string, string> = {}) => {
      agent = await startService('agent', `bench-${label}-agent`, agentPort, { ...agentEnv, ...extraEnv });
      system.agent = agent;
      return agent;
    };
    agent = await startService('agent', `bench-${label}-agent`, agentPort, agentEnv);
    // One after the other: the first applied the migrations.
    for (let i = 0; i < (opts.standbyAgents ?? 0); i++) {
      started.push(await startService('agent', `bench-${label}-agent-standby${i}`, await freePort(), agentEnv));
    }
    const standbyAgents = started.filter((p) => p.name.includes('-agent-standby'));
    // RELAY_URLS: the chat accepts invitations naming an internal address only for this deployment's relays.
    const chatEnv = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, DATABASE_URL: db.url, RELAY_URLS: agentEnv.RELAY_URLS, ...profileEnv('chat'), ...opts.chatEnv };
    chat = await startService('chat', `bench-${label}-chat`, await freePort(), chatEnv);
    // After the first, as with the agents: it applied the chat's migrations.
    for (let i = 0; i < (opts.extraChats ?? 0); i++) {
      started.push(await startService('chat', `bench-${label}-chat-replica${i}`, await freePort(), chatEnv));
    }
    const extraChats = started.filter((p) => p.name.includes('-chat-replica'));
    pg = new Client({ connectionString: db.url, options: '-c search_path=chat' });
    await pg.connect();
    const system: BenchSystem = {
      label,
      prefix,
      redisUrl,
      db,
      relays,
      agent,
      standbyAgents,
      chat,
      extraChats,
      api: new ChatApi(chat.url),
      pg,
      setFaults: async (faults) => {
        await Promise.all(relays.map((r) => setRelayFaults(r.url, RELAY_TEST_ADMIN_TOKEN, faults)));
      },
      killAgent: async () => {
        await system.agent.kill9();
      },
      startAgent,
      stop,
    };
    return system;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * The env that runs a process under the V8 CPU profiler, writing its profile into `dir` on exit;
 * `preloads`: more modules to --require beside it.
 */
export function cpuProfileEnv(dir: string, preloads: string[] = []): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  // node 20 refuses --cpu-prof in NODE_OPTIONS; a preload runs the same V8 profiler in-process.
  const requires = [join(__dirname, '..', 'profile', 'cpu-profiler-preload.js'), ...preloads].map((m) => `--require ${m}`);
  return { NODE_OPTIONS: requires.join(' '), BENCH_CPU_PROFILE_DIR: dir };
}

export function benchOutputDir(): string {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  return TEST_OUTPUT_DIR;
}

