import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { openRelayStream } from '../support/relay-stream';
import { relayQueueKeyNames } from '../support/relay-storage';
import { startRedisCluster, type RedisClusterProcess } from '../support/redis-cluster-process';
import { startService } from '../support/service-process';
import { scanKeys, SHARED_REDIS_URL, uniqueSuffix } from '../support/test-isolation';
import { relayApi, senderKeyPair, startRelay, StartedRelay } from './relay-fixture';

/** A caller's bound small enough to reach in a test, large enough for the layout test's queues per caller. */
const MAX_QUEUES = 10;
/** Distinct callers on loopback: the relay tells callers apart by address. */
const caller = (n: number) => ({ localAddress: `127.0.0.${n}` });

describe('relay on a Redis Cluster of 3 masters (RELAY_REDIS_CLUSTER_NODES)', () => {
  let cluster: RedisClusterProcess;
  let relay: StartedRelay;
  let redis: Cluster;
  const keysOf = (rid: string) => relayQueueKeyNames(relay.relayName, rid, { cluster: true });
  /** Every live queue of the relay, over all masters (SCAN sees one master at a time). */
  const liveQueues = async () => (await Promise.all(cluster.ports.map((p) => scanKeys(cluster.url(p), `relay:${relay.relayName}:q:*`)))).flat().length;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    relay = await startRelay('relay-cluster', {
      env: { RELAY_REDIS_CLUSTER_NODES: cluster.nodes, RELAY_MAX_QUEUES_PER_CALLER: String(MAX_QUEUES), RELAY_BOOKKEEPING_TTL_SECONDS: '3600' },
    });
    redis = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { maxRetriesPerRequest: 1 } });
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await relay?.stop();
    await cluster?.stop();
  });

  it('create, secure, send, push, ack and delete work; nothing lands on RELAY_REDIS_URL', async () => {
    expect((await fetch(`${relay.url}/health`)).status).toBe(200);
    const api = relayApi(relay.url, undefined, caller(2));
    const sender = senderKeyPair();
    const stream = await openRelayStream(relay.url);
    try {
      const created = await api.createQueue(undefined, stream.sessionId);
      expect(created.status).toBe(201);
      const { recipientId, senderId } = created.body;
      expect((await api.secure(recipientId, sender.publicKey)).status).toBe(204);
      expect((await api.send(senderId, 'm-1', 'hello', sender)).status).toBe(201);
      await stream.waitFor((ev) => ev.some((e) => e.event === 'message'), 'the message pushed');
      expect(stream.messages().map((m) => [m.recipientId, m.msgId, m.body])).toEqual([[recipientId, 'm-1', 'hello']]);
      expect((await api.ack(recipientId, 'm-1')).status).toBe(204);
      expect(await redis.zcard(keysOf(recipientId).order)).toBe(0);
      expect((await api.deleteQueue(recipientId)).status).toBe(204);
      expect((await api.send(senderId, 'm-2', 'too late', sender)).status).toBe(404);
    } finally {
      stream.close();
    }
    expect(await scanKeys(SHARED_REDIS_URL, `relay:${relay.relayName}:*`)).toEqual([]);
  });

  it("a queue's keys all sit on one master (one slot), and queues spread over all masters", async () => {
    const queues: string[] = [];
    // 30 queues miss one of 3 masters with probability 3·(2/3)^30 ≈ 10⁻⁵.
    for (let i = 0; i < 30; i++) {
      const api = relayApi(relay.url, undefined, caller(10 + Math.floor(i / MAX_QUEUES)));
      const { recipientId, senderId } = (await api.createQueue()).body;
      expect((await api.send(senderId, 'm-1', 'unacked')).status).toBe(201);
      queues.push(recipientId);
    }
    const gone = relayApi(relay.url, undefined, caller(13));
    const removed = (await gone.createQueue()).body.recipientId;
    expect((await gone.deleteQueue(removed)).status).toBe(204);

    const holders = async (key: string) => (await Promise.all(cluster.ports.map(async (p) => ((await scanKeys(cluster.url(p), key)).length > 0 ? [p] : [])))).flat();
    const mastersOfQueues = new Set<number>();
    for (const rid of queues) {
      const k = keysOf(rid);
      const where = await Promise.all([k.queue, k.ids, k.order, k.msg].map(holders));
      // Each key on exactly one master, the same for all four (SCAN per master, not the slot map: where the keys really are).
      expect(where).toEqual([where[0], where[0], where[0], where[0]]);
      expect(where[0]).toHaveLength(1);
      mastersOfQueues.add(where[0][0]);
    }
    expect(mastersOfQueues.size).toBe(3);
    const tombstone = keysOf(removed);
    expect(await holders(tombstone.gone)).toEqual([await cluster.masterOf(tombstone.queue)]);
  });

  it('two (and more) concurrent idempotent creates answer the same ids, make one queue and count once', async () => {
    const api = relayApi(relay.url, undefined, caller(20));
    const before = await liveQueues();
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => api.createQueue(`conn-${round}`)));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
      expect(new Set(answers.map((a) => `${a.body.recipientId} ${a.body.senderId}`)).size).toBe(1);
    }
    expect(await liveQueues()).toBe(before + rounds);
    // Counted once per round: the caller has room for exactly the rest of its bound.
    const rest = await Promise.all(Array.from({ length: MAX_QUEUES }, () => api.createQueue()));
    expect(rest.filter((a) => a.status === 201)).toHaveLength(MAX_QUEUES - rounds);
  });

  it("the caller's bound holds under a concurrent flood; a delete (repeated, concurrent) frees one place and the sender id answers 404 after", async () => {
    const api = relayApi(relay.url, undefined, caller(21));
    const before = await liveQueues();
    const flood = await Promise.all(Array.from({ length: 40 }, () => api.createQueue()));
    const made = flood.filter((a) => a.status === 201);
    expect(made).toHaveLength(MAX_QUEUES);
    expect(flood.filter((a) => a.status === 429)).toHaveLength(40 - MAX_QUEUES);
    expect(await liveQueues()).toBe(before + MAX_QUEUES);

    const { recipientId, senderId } = made[0].body;
    const deletes = await Promise.all(Array.from({ length: 5 }, () => api.deleteQueue(recipientId)));
    expect(deletes.map((d) => d.status)).toEqual(Array(5).fill(204));
    expect(await redis.exists(keysOf(recipientId).sender(senderId))).toBe(0);
    expect((await api.send(senderId, 'm-1', 'after delete')).status).toBe(404);
    // Five deletes, one place: the count went down once.
    const again = await Promise.all(Array.from({ length: 3 }, () => api.createQueue()));
    expect(again.filter((a) => a.status === 201)).toHaveLength(1);
  });

  it('a relay whose cluster does not answer waits for it, naming RELAY_REDIS_CLUSTER_NODES', async () => {
    const seeds = `127.0.0.1:${await freePort()}`;
    const orphan = await startService('relay', `relay-cluster-absent-${uniqueSuffix()}`, await freePort(), { RELAY_REDIS_CLUSTER_NODES: seeds, RELAY_NAME: 'absent' }, { waitHealthy: false });
    try {
      await eventually(() => /check RELAY_REDIS_CLUSTER_NODES and that the cluster runs/.test(readFileSync(orphan.logFile, 'utf8')), {
        timeoutMs: 20_000,
        what: 'the relay to name the cluster it waits for',
      });
      expect(readFileSync(orphan.logFile, 'utf8')).toContain(`cluster ${seeds} does not answer`);
    } finally {
      await orphan.stop();
    }
  });

  // Last: it stops the cluster.
  it('answers 503 on /health and 5xx {error} on requests while its cluster is away, without crashing', async () => {
    const api = relayApi(relay.url, undefined, caller(30));
    expect((await api.createQueue()).status).toBe(201);
    await cluster.stop();
    await eventually(async () => (await api.call('GET', '/health')).status === 503, { what: '/health 503 without the cluster' });
    const started = Date.now();
    const res = await api.createQueue();
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String) });
    // An answer, not a request left hanging until the client gives up (10 s).
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(relay.child.exitCode).toBeNull();
  });
});
