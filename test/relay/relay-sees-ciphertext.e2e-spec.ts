import Redis from 'ioredis';
import { Client } from 'pg';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ChatStack, exchangeGroupMessages, GROUP_TEST_TIMEOUT_MS, setUpGroup, STACK_TIMEOUT_MS, startChatStack, waitForGroupConverged } from '../support/chat-stack';
import { startRedisServer, RedisServerProcess } from '../support/redis-server-process';
import { TEST_OUTPUT_DIR } from '../support/service-process';

const LABEL = 'relay-ciphertext';
const logOf = (i: number) => join(TEST_OUTPUT_DIR, `${LABEL}-relay${i}.log`);

/** Every value under a relay's key prefix, whatever the key's type. */
async function dumpRelayKeys(redis: Redis): Promise<string[]> {
  const out: string[] = [];
  for (const key of await redis.keys('relay:*')) {
    out.push(key);
    const type = await redis.type(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'set') out.push(...(await redis.smembers(key)));
    else if (type === 'zset') out.push(...(await redis.zrange(key, 0, -1)));
    else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
  }
  return out;
}

describe('relay: holds ciphertext and random ids only', () => {
  let relayRedis: RedisServerProcess;
  let stack: ChatStack;
  let monitorBase: Redis;
  let monitor: Redis;
  const written: string[] = [];
  const logStart: number[] = [];

  beforeAll(async () => {
    relayRedis = await startRedisServer();
    // Every command the relays send to their Redis, as it happens: messages are deleted once acked,
    // so a scan at the end alone would miss what passed through.
    monitorBase = new Redis(relayRedis.url(), { maxRetriesPerRequest: 1 });
    monitor = await monitorBase.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => written.push(args.join(' ')));
    for (const i of [0, 1]) logStart.push(existsSync(logOf(i)) ? statSync(logOf(i)).size : 0);
    stack = await startChatStack({ label: LABEL, relays: 2, relayRedisUrl: relayRedis.url(), relayEnv: { LOG_LEVEL: 'debug' } });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    monitor?.disconnect();
    monitorBase?.disconnect();
    await stack?.stop();
    await relayRedis?.stop();
  }, STACK_TIMEOUT_MS);

  it(
    'after a group of 5 exchanged messages, no relay Redis write, key or log line holds a text, a display name or an invitation',
    async () => {
      const { api } = stack;
      const tag = randomBytes(4).toString('hex');
      const names = ['Host', 'Ann', 'Ben', 'Cat', 'Dan'].map((n) => `${n}${tag}`);
      const setup = await setUpGroup(api, names[0], names.slice(1), { concurrentJoins: true });
      await waitForGroupConverged(api, setup);
      await exchangeGroupMessages(api, setup, 2, 60_000, `secret${tag}`);

      const texts = (await api.messages(setup.host.userId, setup.groupId)).map((m) => m.text);
      expect(texts).toHaveLength(10);
      const db = new Client({ connectionString: stack.db.url });
      await db.connect();
      const invitations = (await db.query<{ invitation: string }>(`SELECT invitation FROM agent.connections WHERE invitation IS NOT NULL`)).rows.map((r) => r.invitation);
      await db.end();
      expect(invitations.length).toBeGreaterThanOrEqual(4 + 2 * 6); // contacts + group + 2 per introduced pair
      const forbidden = [...texts, ...names, `${names[0]}'s group`, ...invitations, `secret${tag}`, 'x.grp.', 'x.msg.new', 'connInfo'];

      // What passed through: message bodies were stored (a positive control), each sealed.
      const stores = written.filter((w) => /^hset relay:[^ ]+:msg:/i.test(w));
      expect(stores.length).toBeGreaterThanOrEqual(10);
      const scan = new Redis(relayRedis.url(), { maxRetriesPerRequest: 1 });
      const sources: Array<[string, string]> = [
        ['relay Redis writes', written.join('\n')],
        ['relay Redis keys now', (await dumpRelayKeys(scan)).join('\n')],
        ...[0, 1].map((i): [string, string] => [`relay${i} log`, readFileSync(logOf(i), 'utf8').slice(logStart[i])]),
      ];
      scan.disconnect();
      for (const [source, text] of sources) {
        expect(text.length).toBeGreaterThan(0);
        const found = forbidden.filter((f) => text.includes(f));
        expect({ source, found }).toEqual({ source, found: [] });
      }
    },
    GROUP_TEST_TIMEOUT_MS,
  );
});
