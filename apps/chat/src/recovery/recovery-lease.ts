import { randomUUID } from 'node:crypto';

/** The part of an ioredis client the lease needs (BullMQ's own client is one). */
export interface LeaseRedis {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// Take the lease if nobody holds it, renew it if we do; one round trip, atomic in Redis.
const HOLD = `local v = redis.call('GET', KEYS[1])
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Which chat replica does the outbox's recovery: the holder of a lease in the queue Redis, renewed at
 * every tick. Several chats then re-publish and re-subscribe once, not once each; when the holder dies
 * for good its lease lapses after `ttlMs` and the next tick of another chat takes it. Losing the queue
 * Redis loses the lease too, and whoever takes it next starts with a full recovery (see
 * OutboxReconciler), which is what a queue loss needs anyway.
 */
export class RecoveryLease {
  readonly holder = randomUUID();

  constructor(
    private readonly redis: () => Promise<LeaseRedis>,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** True while this process holds the lease (taking or renewing it). */
  async hold(): Promise<boolean> {
    return (await (await this.redis()).eval(HOLD, 1, this.key, this.holder, this.ttlMs)) === 1;
  }

  /** On a clean shutdown: let the next chat take over at once instead of after the TTL. */
  async release(): Promise<void> {
    await (await this.redis()).eval(RELEASE, 1, this.key, this.holder);
  }
}

/** Under the queue prefix (its hash tag): it lives and dies with the queues, on the same Cluster slot. */
export function recoveryLeaseKey(queuePrefix: string): string {
  return `${queuePrefix}:chat:recovery-lease`;
}
