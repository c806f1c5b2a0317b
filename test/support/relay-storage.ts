import Redis from 'ioredis';

/**
 * The relay loses one queue for good, as its own DELETE would do it (apps/relay queue-scripts
 * `remove`), straight in its storage: a sender then gets 404 `unknown queue`, a permanent refusal.
 */
export async function deleteQueueOnRelay(redisUrl: string, relayName: string, recipientId: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const p = `relay:${relayName}:`;
    const [senderId, recipientKey] = await redis.hmget(`${p}q:${recipientId}`, 'senderId', 'recipientKey');
    if (!senderId) throw new Error(`relay ${relayName} has no queue ${recipientId}`);
    // As the relay's own remove: the gone marker keeps the recipient key, so its owner's signed DELETE still verifies.
    await redis
      .multi()
      .del(`${p}s:${senderId}`, `${p}q:${recipientId}`, `${p}ids:${recipientId}`, `${p}order:${recipientId}`, `${p}msg:${recipientId}`)
      .set(`${p}gone:${recipientId}`, recipientKey ?? '')
      .exec();
  } finally {
    redis.disconnect();
  }
}
