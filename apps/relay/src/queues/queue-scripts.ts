/**
 * Lua scripts for the steps that must be atomic: two concurrent retries of one send must never
 * store a message twice; a caller's queue count and a queue's message count are checked and
 * changed in the same step as the store, so a flood cannot overshoot a bound; a message's place in
 * its queue's order (seq) is fixed when it is stored.
 *
 * Every script declares every key it touches, and those keys share one hash slot (one queue's
 * keys, tagged by its recipient id on a cluster; or one caller key), so each runs on a Redis
 * Cluster as on one Redis. What spans slots — creating a queue, the cleanup after removing one —
 * is a sequence of such steps in QueueStore, which says what a crash between them leaves.
 *
 * Key layout under the relay's namespace (see QueueKeys; `{rid}` on a cluster, `rid` otherwise):
 *   q:<rid>      hash {senderId, recipientKey, caller, senderKey?, seq}   s:<sid> recipient id of a sender id
 *   idem:<hash>  "rid sid" of a create, keyed by hash(recipient key, idempotency key); expires
 *   gone:<rid>   recipient key of a deleted queue (its tombstone); expires
 *   caller:<h>   how many live queues the caller (hash of its address) made
 *   ids:<rid>    set of every msgId ever accepted      order:<rid> zset msgId by seq
 *   msg:<rid>    hash msgId → JSON {body, sentAt}
 */
export const QUEUE_SCRIPTS = {
  /** One more queue for a caller, unless it holds ARGV[1] already: counted before the queue exists, so concurrent creates never overshoot. */
  callerAcquire: {
    numberOfKeys: 1, // caller
    lua: `
if redis.call('INCR', KEYS[1]) > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 'too_many'
end
return 'ok'`,
  },
  /** One queue fewer; a caller with none left leaves no key behind. */
  callerRelease: {
    numberOfKeys: 1, // caller
    lua: `
if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
return 'ok'`,
  },
  secure: {
    numberOfKeys: 1, // q
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not_found' end
local current = redis.call('HGET', KEYS[1], 'senderKey')
if not current then
  redis.call('HSET', KEYS[1], 'senderKey', ARGV[1])
  return 'ok'
end
if current == ARGV[1] then return 'ok' end
return 'conflict'`,
  },
  /** ARGV: msgId, expected sender key, payload, maxMessages. */
  send: {
    numberOfKeys: 4, // q, ids, order, msg
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local key = redis.call('HGET', KEYS[1], 'senderKey') or ''
if key ~= ARGV[2] then return {'key_changed'} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {'duplicate'} end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'full'} end
redis.call('SADD', KEYS[2], ARGV[1])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
return {'stored', seq}`,
  },
  ack: {
    numberOfKeys: 4, // q, order, msg, gone
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[4]) == 1 then return 'ok' end
  return 'not_found'
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 'ok'`,
  },
  /**
   * ARGV: ttlSeconds. Deletes the queue and writes its tombstone; only the call that deleted
   * answers {'removed', senderId, callerHash}, so the cleanup outside this slot happens once — a
   * concurrent or repeated remove finds the tombstone and answers {'gone'}.
   */
  remove: {
    numberOfKeys: 5, // q, ids, order, msg, gone
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[5]) == 1 then return {'gone'} end
  return {'not_found'}
end
local fields = redis.call('HMGET', KEYS[1], 'senderId', 'recipientKey', 'caller')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('SET', KEYS[5], fields[2] or '', 'EX', tonumber(ARGV[1]))
return {'removed', fields[1] or '', fields[3] or ''}`,
  },
} as const;

export type QueueScriptName = keyof typeof QUEUE_SCRIPTS;
