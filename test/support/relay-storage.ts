import { parseClusterNodes } from '@gc/queueing';
import Redis, { Cluster } from 'ioredis';

/** Where a test relay stores: a Redis URL (RELAY_REDIS_URL), or the seeds of a cluster (RELAY_REDIS_CLUSTER_NODES). */
export type RelayStorage = string | { clusterNodes: string };

/**
 * The names of one queue's keys as the relay writes them (apps/relay queue-keys): the recipient id
 * is a hash tag on a cluster, bare on a single Redis. Written out here rather than imported, so a
 * change of the relay's layout shows up as a failing test rather than a silently followed one.
 */
export function relayQueueKeyNames(relayName: string, recipientId: string, opts: { cluster: boolean }) {
  const p = `relay:${relayName}:`;
  const rid = opts.cluster ? `{${recipientId}}` : recipientId;
  return { queue: `${p}q:${rid}`, ids: `${p}ids:${rid}`, order: `${p}order:${rid}`, msg: `${p}msg:${rid}`, gone: `${p}gone:${rid}`, sender: (sid: string) => `${p}s:${sid}` };
}

/**
 * The relay loses one queue for good, as its own DELETE would do it (apps/relay QueueStore
 * `remove`), straight in its storage: a sender then gets 404 `unknown queue`, a permanent refusal.
 */
export async function deleteQueueOnRelay(storage: RelayStorage, relayName: string, recipientId: string): Promise<void> {
  const cluster = typeof storage !== 'string';
  const redis = cluster
    ? new Cluster(parseClusterNodes(storage.clusterNodes), { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } })
    : new Redis(storage, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const k = relayQueueKeyNames(relayName, recipientId, { cluster });
    const [senderId, recipientKey] = await redis.hmget(k.queue, 'senderId', 'recipientKey');
    if (!senderId) throw new Error(`relay ${relayName} has no queue ${recipientId}`);
    // As the relay's own remove: the gone marker keeps the recipient key, so its owner's signed DELETE still verifies.
    // The queue's keys share a slot (one MULTI); the sender key is in its own.
    await redis.multi().del(k.queue, k.ids, k.order, k.msg).set(k.gone, recipientKey ?? '').exec();
    await redis.del(k.sender(senderId));
  } finally {
    redis.disconnect();
  }
}
