import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { openQueue } from '@gc/queueing';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { ChatStack, startChatStack, TEST_RECONCILE_ENV } from '../support/chat-stack';
import { freePort } from '../support/free-port';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { ServiceProcess, startService } from '../support/service-process';

export const BOARD_PASSWORD = 'faults-board-secret';

/**
 * The system under fault: a private Redis (queues in db 0, relays in db 1, so FLUSHDB of the
 * queues leaves the relays' messages), two relays, two agents and two chats on one database
 * and prefix. Every agent or chat can be killed with SIGKILL and started again in place.
 */
export interface FaultStack {
  redis: RedisServerProcess;
  stack: ChatStack;
  db: Client;
  commands: Queue;
  events: Queue;
  agents(): ServiceProcess[];
  chats(): ServiceProcess[];
  /** Agents or chats that exited without being killed on purpose (a crash is a failed case). */
  unexpectedExits: string[];
  /** kill -9 every agent process at once, then start them again. */
  killAgents(): Promise<void>;
  /** kill -9 every chat process at once, then start them again. */
  killChats(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultStack(label: string): Promise<FaultStack> {
  const redis = await startRedisServer();
  let stack: ChatStack | undefined;
  let agent2: ServiceProcess | undefined;
  let chat2: ServiceProcess | undefined;
  let db: Client | undefined;
  let commands: Queue | undefined;
  let events: Queue | undefined;
  const unexpectedExits: string[] = [];
  const onPurpose = new Set<ServiceProcess>();
  let stopping = false;
  const watch = (p: ServiceProcess) => {
    void p.exited.then((code) => {
      if (!stopping && !onPurpose.has(p)) unexpectedExits.push(`${p.name} exited with ${code ?? p.child.signalCode}; see ${p.logFile}`);
    });
    return p;
  };
  const kill9 = (p: ServiceProcess) => {
    onPurpose.add(p);
    return p.kill9();
  };
  const stop = async () => {
    stopping = true;
    await Promise.allSettled([commands?.close(), events?.close(), db?.end()]);
    await Promise.allSettled([agent2?.stop(), chat2?.stop()]);
    await stack?.stop().catch(() => undefined);
    await redis.stop();
  };
  try {
    stack = await startChatStack({
      label,
      relays: 2,
      redisUrl: redis.url(0),
      relayRedisUrl: redis.url(1),
      chatEnv: { BULL_BOARD_PASSWORD: BOARD_PASSWORD },
    });
    const s = stack;
    const agentEnv = {
      REDIS_URL: s.redisUrl,
      QUEUE_PREFIX: s.prefix,
      DATABASE_URL: s.db.url,
      RELAY_URLS: s.relays.map((r) => r.url).join(','),
      RELAY_TIMEOUT_MS: '1000',
      RETRY_BASE_MS: '100',
      RETRY_FACTOR: '1.5',
      RETRY_MAX_MS: '1000',
    };
    const chatEnv = { REDIS_URL: s.redisUrl, QUEUE_PREFIX: s.prefix, DATABASE_URL: s.db.url, RELAY_URLS: agentEnv.RELAY_URLS, BULL_BOARD_PASSWORD: BOARD_PASSWORD, ...TEST_RECONCILE_ENV };
    const [agentPort, chatPort] = [await freePort(), await freePort()];
    const startAgent2 = () => startService('agent', `${label}-agent2`, agentPort, agentEnv, { healthTimeoutMs: 90_000 });
    const startChat2 = () => startService('chat', `${label}-chat2`, chatPort, chatEnv, { healthTimeoutMs: 90_000 });
    [agent2, chat2] = (await Promise.all([startAgent2(), startChat2()])).map(watch);
    watch(s.agent);
    watch(s.chat);
    db = new Client({ connectionString: s.db.url });
    await db.connect();
    commands = openQueue(AGENT_COMMANDS_QUEUE, { redisUrl: s.redisUrl, prefix: s.prefix });
    events = openQueue(AGENT_EVENTS_QUEUE, { redisUrl: s.redisUrl, prefix: s.prefix });
    return {
      redis,
      stack: s,
      db,
      commands,
      events,
      agents: () => [s.agent, agent2!],
      chats: () => [s.chat, chat2!],
      unexpectedExits,
      async killAgents() {
        await Promise.all([kill9(s.agent), kill9(agent2!)]);
        [, agent2] = await Promise.all([s.withAgentDown(async () => undefined), startAgent2()]);
        watch(s.agent);
        watch(agent2);
      },
      async killChats() {
        await Promise.all([kill9(s.chat), kill9(chat2!)]);
        [, chat2] = await Promise.all([s.restartChat(), startChat2()]);
        watch(s.chat);
        watch(chat2);
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
