import Redis from 'ioredis';
import { eventually } from '../support/eventually';
import { SHARED_REDIS_URL } from '../support/test-isolation';
import { dropRelayKeys, relayApi, senderKeyPair, startRelay, StartedRelay } from './relay-fixture';

/**
 * What a relay remembers of a queue (QueueStore: its recipient key, a secured queue's send target),
 * seen from Redis: MONITOR on the shared Redis, filtered to this relay's keys.
 */
describe('relay: a known queue is not read again', () => {
  let relay: StartedRelay;
  let api: ReturnType<typeof relayApi>;
  let monitor: Redis;
  let writer: Redis;
  const seen: { command: string; args: string[]; source: string }[] = [];

  beforeAll(async () => {
    relay = await startRelay('relay-lookups');
    api = relayApi(relay.url);
    const prefix = `relay:${relay.relayName}:`;
    writer = new Redis(SHARED_REDIS_URL);
    monitor = await writer.monitor(); // a connection of its own in monitor mode
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args.some((a) => typeof a === 'string' && a.startsWith(prefix))) seen.push({ command: args[0].toLowerCase(), args, source });
    });
  });
  afterAll(async () => {
    monitor?.disconnect();
    writer?.disconnect();
    await relay?.stop();
    if (relay) await dropRelayKeys(relay.relayName);
  });

  /** Commands the relay itself sent for its keys during `action` (not those its scripts ran inside Redis). */
  const commandsDuring = async (action: () => Promise<void>): Promise<string[]> => {
    // MONITOR shows commands in the order Redis ran them, but its stream reaches us later: a marker
    // on each side fences the action's commands off from what ran before it and is still arriving.
    const mark = async (value: string): Promise<number> => {
      await writer.set(`relay:${relay.relayName}:marker`, value);
      const { at } = await eventually(
        () => {
          const index = seen.findIndex((s) => s.command === 'set' && s.args[2] === value);
          return index >= 0 && { at: index };
        },
        { timeoutMs: 5_000, what: `the ${value} marker seen by MONITOR` },
      );
      return at;
    };
    const from = await mark(`before-${seen.length}`);
    await action();
    const to = await mark(`after-${seen.length}`);
    return seen
      .slice(from + 1, to)
      .filter((s) => s.source !== 'lua')
      .map((s) => (s.command === 'eval' || s.command === 'evalsha' ? 'script' : s.command));
  };

  it('once known, a send, an ack and a repeated secure each run their one script: no key is read first', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    const keys = senderKeyPair();
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    expect((await api.send(senderId, 'm-1', 'one', keys)).status).toBe(201); // the first send reads its target
    expect((await api.ack(recipientId, 'm-0')).status).toBe(204); // and the ack script is loaded into Redis
    const commands = await commandsDuring(async () => {
      expect((await api.send(senderId, 'm-2', 'two', keys)).status).toBe(201);
      expect((await api.ack(recipientId, 'm-1')).status).toBe(204);
      expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    });
    expect(commands).toEqual(['script', 'script', 'script']);
  });

  it('a queue lost with the relay\'s Redis answers a remembered send, ack and delete as any unknown queue: 404', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    const keys = senderKeyPair();
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    expect((await api.send(senderId, 'm-1', 'one', keys)).status).toBe(201);
    await dropRelayKeys(relay.relayName);
    expect((await api.send(senderId, 'm-2', 'two', keys)).status).toBe(404);
    expect((await api.ack(recipientId, 'm-1')).status).toBe(404);
    expect((await api.deleteQueue(recipientId)).status).toBe(404);
  });
});
