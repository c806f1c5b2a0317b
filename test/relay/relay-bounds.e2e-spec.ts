import Redis from 'ioredis';
import { connect, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { eventually } from '../support/eventually';
import { SHARED_REDIS_URL } from '../support/test-isolation';
import { dropRelayKeys, relayApi, startRelay, StartedRelay } from './relay-fixture';

/** Distinct callers on loopback: Linux answers for all of 127/8, and the relay tells callers apart by address. */
const caller = (n: number) => ({ localAddress: `127.0.0.${n}` });

function kib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for ${pid}`);
  return Number(match[1]);
}

/** A stream reader that reads the session event and then nothing more, as a stuck or hostile subscriber would. */
function openStalledStream(relayUrl: string): Promise<{ sessionId: string; socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(relayUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: '127.0.0.9' });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let head = '';
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('utf8');
      const match = /"sessionId":"([A-Za-z0-9_-]{22})"/.exec(head);
      if (match) {
        socket.removeAllListeners('data');
        socket.pause();
        resolve({ sessionId: match[1], socket, closed });
      }
    });
    socket.write(`GET /sessions/stream HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

describe('relay bounds: what one anonymous caller can make a relay store or do', () => {
  let limited: StartedRelay;
  let streams: StartedRelay;

  beforeAll(async () => {
    [limited, streams] = await Promise.all([
      startRelay('relay-bounds', {
        env: { RELAY_RATE_LIMIT_PER_SECOND: '20', RELAY_MAX_QUEUES_PER_CALLER: '3', RELAY_MAX_MESSAGES_PER_QUEUE: '2', RELAY_BOOKKEEPING_TTL_SECONDS: '3600' },
      }),
      startRelay('relay-bounds-stream', { env: { RELAY_STREAM_STALL_MS: '2000' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([limited?.stop(), streams?.stop()]);
    await Promise.allSettled([limited, streams].filter(Boolean).map((r) => dropRelayKeys(r.relayName)));
  });

  it('answers a flood from one caller with 429 and keeps serving another caller meanwhile', async () => {
    const flooder = relayApi(limited.url, undefined, caller(2));
    const other = relayApi(limited.url, undefined, caller(3));
    const flood = Promise.all(Array.from({ length: 120 }, (_, i) => flooder.send('A'.repeat(22), `m${i}`, 'x')));
    // In the middle of the flood, another caller is served.
    const served = await other.createQueue();
    const answers = await flood;
    expect(served.status).toBe(201);
    const limitedAnswers = answers.filter((a) => a.status === 429);
    // A burst of twice the rate gets through (to a 404: no such queue), the rest is refused.
    expect(limitedAnswers.length).toBeGreaterThanOrEqual(60);
    expect(limitedAnswers[0].body).toEqual({ error: 'rate_limited', message: expect.stringMatching(/20 requests per second/) });
    expect(answers.filter((a) => a.status === 404).length).toBeGreaterThan(0);
  });

  it('bounds the queues one caller holds (429 past it, room again after a delete), not another caller’s', async () => {
    const greedy = relayApi(limited.url, undefined, caller(4));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await greedy.createQueue();
      expect(created.status).toBe(201);
      ids.push(created.body.recipientId);
    }
    const refused = await greedy.createQueue();
    expect(refused).toEqual({ status: 429, body: { error: 'too_many_queues', message: expect.any(String) } });
    // A repeat of an idempotent create that already succeeded is no new queue: still answered.
    expect((await relayApi(limited.url, undefined, caller(5)).createQueue()).status).toBe(201);
    expect((await greedy.deleteQueue(ids[0])).status).toBe(204);
    expect((await greedy.createQueue()).status).toBe(201);
  });

  it('bounds the unacked messages of a queue (429 past it, room again after an ack) and the size of a body (413)', async () => {
    const owner = relayApi(limited.url, undefined, caller(6));
    const { recipientId, senderId } = (await owner.createQueue('bounded')).body;
    expect((await owner.send(senderId, 'm1', 'one')).status).toBe(201);
    expect((await owner.send(senderId, 'm2', 'two')).status).toBe(201);
    const full = await owner.send(senderId, 'm3', 'three');
    expect(full).toEqual({ status: 429, body: { error: 'queue_full', message: expect.any(String) } });
    // A retried send of a stored message is still its success, full queue or not.
    expect((await owner.send(senderId, 'm2', 'two')).status).toBe(201);
    expect((await owner.ack(recipientId, 'm1')).status).toBe(204);
    expect((await owner.send(senderId, 'm3', 'three')).status).toBe(201);
    expect((await owner.send(senderId, 'big', 'b'.repeat(131_073))).status).toBe(413);
  });

  it('keeps its bookkeeping keys (idempotency, tombstones) with a TTL, so they never pile up', async () => {
    const api = relayApi(limited.url, undefined, caller(7));
    const { recipientId } = (await api.createQueue('ttl-key')).body;
    expect((await api.deleteQueue(recipientId)).status).toBe(204);
    const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = [...(await redis.keys(`relay:${limited.relayName}:idem:*`)), `relay:${limited.relayName}:gone:${recipientId}`];
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const key of keys) {
        const ttl = await redis.ttl(key);
        expect({ key, ttl: ttl > 0 && ttl <= 3600 }).toEqual({ key, ttl: true });
      }
    } finally {
      redis.disconnect();
    }
  });

  it('cuts a stream that never reads, without the relay’s memory growing with what it was asked to push', async () => {
    const api = relayApi(streams.url);
    const { recipientId, senderId } = (await api.createQueue('stalled-reader')).body;
    const body = 'x'.repeat(100 * 1024);
    for (let i = 0; i < 40; i++) expect((await api.send(senderId, `big-${i}`, body)).status).toBe(201);
    const pid = streams.child.pid!;
    const before = kib(pid, 'VmRSS');
    const stalled = await openStalledStream(streams.url);
    try {
      // Each subscribe pushes the queue's 4 MB again from the start: 50 of them ask for ~200 MB. The
      // relay may cut the stream before the 50th (a 404 for a session it forgot): that is the property.
      let asked = 0;
      for (; asked < 50; asked++) {
        const status = (await api.subscribe(stalled.sessionId, [recipientId])).status;
        if (status === 404) break;
        expect(status).toBe(200);
      }
      expect(asked).toBeGreaterThan(0);
      const grown = () => (kib(pid, 'VmHWM') - before) / 1024;
      await eventually(async () => (await api.subscribe(stalled.sessionId, [recipientId])).status === 404, {
        timeoutMs: 20_000,
        what: 'the relay forgot the stalled session (stream cut)',
      }).catch((err: Error) => {
        throw new Error(`${err.message}; relay peak RSS grew by ${Math.round(grown())} MB meanwhile`);
      });
      const grownMb = grown();
      expect({ grownMb: Math.round(grownMb), bounded: grownMb < 64 }).toEqual({ grownMb: Math.round(grownMb), bounded: true });
      // The messages are still stored: a reader that does read gets them.
      expect((await api.call('GET', '/health')).status).toBe(200);
    } finally {
      stalled.socket.destroy();
    }
  });
});
