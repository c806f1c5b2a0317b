import { createHash } from 'node:crypto';

/** The most shards a deployment may split its queues into (each shard costs a worker per process). */
export const MAX_QUEUE_SHARDS = 64;

/**
 * The shard of a connection: the first 4 bytes of SHA-256(connId), big-endian, modulo `shards`.
 * A pure function of its inputs — the same in every process and every version — so every agent
 * and chat of a deployment (given the same QUEUE_SHARDS) puts a connection's commands and events
 * on one shard, in order. Changing the hash would move live connections: it is **contract**.
 */
export function shardOf(connId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_QUEUE_SHARDS) throw new RangeError(`shards must be an integer 1..${MAX_QUEUE_SHARDS}, got ${shards}`);
  if (shards === 1) return 0;
  return createHash('sha256').update(connId, 'utf8').digest().readUInt32BE(0) % shards;
}

/**
 * The BullMQ prefix of shard `shard`: `:n` added inside the prefix's hash tag (`{gc}` → `{gc:3}`),
 * so each shard has its own Redis Cluster slot; a prefix without a (non-empty) hash tag becomes one
 * (`gc` → `{gc:3}`), since a BullMQ queue's keys must share a slot. With one shard the prefix is
 * unchanged: QUEUE_SHARDS=1 is the layout of before sharding, key for key.
 */
export function shardPrefix(prefix: string, shard: number, shards: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new RangeError(`shard must be an integer 0..${shards - 1}, got ${shard}`);
  if (shards === 1) return prefix;
  const tag = /\{([^}]+)\}/.exec(prefix);
  if (!tag) return `{${prefix}:${shard}}`;
  return `${prefix.slice(0, tag.index)}{${tag[1]}:${shard}}${prefix.slice(tag.index + tag[0].length)}`;
}

/**
 * The connection a command or event is sharded by. A SUBSCRIBE names many connections: the chat
 * splits its connIds per shard (splitByShard), so the first one stands for all. An event with no
 * connection (an ERR about a whole SUBSCRIBE) goes to shard 0.
 */
export function shardKeyOf(message: { connId?: string; connIds?: readonly string[] }): string | undefined {
  return message.connId ?? message.connIds?.[0];
}

/** The shard a command or event goes to. */
export function shardOfMessage(message: { connId?: string; connIds?: readonly string[] }, shards: number): number {
  const key = shardKeyOf(message);
  return key === undefined ? 0 : shardOf(key, shards);
}

/** connIds grouped by shard, each group in its original order (a SUBSCRIBE per group). */
export function splitByShard(connIds: readonly string[], shards: number): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const connId of connIds) {
    const shard = shardOf(connId, shards);
    groups.set(shard, [...(groups.get(shard) ?? []), connId]);
  }
  return groups;
}
