/**
 * Lua scripts for the steps that must be atomic: two concurrent retries of one create, or of one
 * send, must never make two queues or store a message twice; a caller's queue count and a queue's
 * message count are checked and changed in the same step as the store, so a flood cannot overshoot
 * a bound; a message's place in its queue's order (seq) is fixed when it is stored.
 *
 * Key layout under the relay's namespace `p` (see QueueKeys):
 *   q:<rid>      hash {senderId, recipientKey, caller, senderKey?, seq}   s:<sid> recipient id of a sender id
 *   idem:<hash>  "rid sid" of a create, keyed by hash(recipient key, idempotency key); expires
 *   gone:<rid>   recipient key of a deleted queue (its tombstone); expires
 *   caller:<h>   how many live queues the caller (hash of its address) made
 *   ids:<rid>    set of every msgId ever accepted      order:<rid> zset msgId by seq
 *   msg:<rid>    hash msgId → JSON {body, sentAt}
 */
export const QUEUE_SCRIPTS = {
  /** ARGV: rid, sid, recipientKey, callerHash, maxQueues, ttlSeconds, idempotent ('1'|'0'). */
  create: {
    numberOfKeys: 4, // idem, q, s, caller
    lua: `
if ARGV[7] == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return existing end
end
if redis.call('INCR', KEYS[4]) > tonumber(ARGV[5]) then
  redis.call('DECR', KEYS[4])
  return 'too_many'
end
redis.call('HSET', KEYS[2], 'senderId', ARGV[2], 'recipientKey', ARGV[3], 'caller', ARGV[4], 'seq', 0)
redis.call('SET', KEYS[3], ARGV[1])
local ids = ARGV[1] .. ' ' .. ARGV[2]
if ARGV[7] == '1' then redis.call('SET', KEYS[1], ids, 'EX', tonumber(ARGV[6])) end
return ids`,
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
  /** ARGV: key prefix, ttlSeconds. */
  remove: {
    numberOfKeys: 5, // q, ids, order, msg, gone
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[5]) == 1 then return 'ok' end
  return 'not_found'
end
local fields = redis.call('HMGET', KEYS[1], 'senderId', 'recipientKey', 'caller')
if fields[1] then redis.call('DEL', ARGV[1] .. 's:' .. fields[1]) end
if fields[3] then
  local callerKey = ARGV[1] .. 'caller:' .. fields[3]
  if redis.call('DECR', callerKey) <= 0 then redis.call('DEL', callerKey) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('SET', KEYS[5], fields[2] or '', 'EX', tonumber(ARGV[2]))
return 'ok'`,
  },
} as const;

export type QueueScriptName = keyof typeof QUEUE_SCRIPTS;
