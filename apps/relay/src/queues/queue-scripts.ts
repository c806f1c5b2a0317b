/**
 * Lua scripts for the steps that must be atomic: two concurrent retries of one create, or of one
 * send, must never make two queues or store a message twice, and a message's place in its queue's
 * order (seq) is fixed when it is stored.
 *
 * Key layout under the relay's namespace `p` (see QueueKeys):
 *   q:<rid>     hash {senderId, senderKey?, seq}     s:<sid>    recipient id of a sender id
 *   idem:<key>  "rid sid" of a create                 gone:<rid> tombstone of a deleted queue
 *   ids:<rid>   set of every msgId ever accepted      order:<rid> zset msgId by seq
 *   msg:<rid>   hash msgId → JSON {body, sentAt}
 */
export const QUEUE_SCRIPTS = {
  createIdempotent: {
    numberOfKeys: 3, // idem, q, s
    lua: `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('HSET', KEYS[2], 'senderId', ARGV[2], 'seq', 0)
redis.call('SET', KEYS[3], ARGV[1])
local ids = ARGV[1] .. ' ' .. ARGV[2]
redis.call('SET', KEYS[1], ids)
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
  send: {
    numberOfKeys: 4, // q, ids, order, msg
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local key = redis.call('HGET', KEYS[1], 'senderKey') or ''
if key ~= ARGV[2] then return {'key_changed'} end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return {'duplicate'} end
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
  remove: {
    numberOfKeys: 5, // q, ids, order, msg, gone
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[5]) == 1 then return 'ok' end
  return 'not_found'
end
local sid = redis.call('HGET', KEYS[1], 'senderId')
if sid then redis.call('DEL', ARGV[1] .. 's:' .. sid) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('SET', KEYS[5], '1')
return 'ok'`,
  },
} as const;

export type QueueScriptName = keyof typeof QUEUE_SCRIPTS;
