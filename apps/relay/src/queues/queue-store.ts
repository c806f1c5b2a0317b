import { BoundedMap } from '@gc/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { RELAY_REDIS, type RelayRedis } from '../redis/relay-redis.module';
import { QUEUE_SCRIPTS, QueueScriptName } from './queue-scripts';
import { QueueKeys } from './queue-keys';
import { newRelayId } from './relay-ids';

export interface QueueIds {
  recipientId: string;
  senderId: string;
}

export interface StoredMessage {
  recipientId: string;
  msgId: string;
  body: string;
  sentAt: string;
  seq: number;
}

export type SendOutcome =
  | { kind: 'stored'; seq: number }
  /** The queue holds RELAY_MAX_MESSAGES_PER_QUEUE unacked messages already. */
  | { kind: 'full' }
  | { kind: 'duplicate' }
  | { kind: 'not_found' }
  /** The queue was secured (or re-keyed) between reading its key and storing: check again. */
  | { kind: 'key_changed' };

/**
 * Queues whose unchanging facts a relay process keeps: a queue's recipient key (fixed at create, kept by
 * its tombstone) and a secured queue's send target (a sender id names one queue for good, and a
 * secured queue keeps its sender key: secure refuses another). Reading them cost a Redis round trip
 * before every ack, secure and delete, and two before every send; the scripts that act still check
 * what can change (the queue gone, its key), so a remembered fact of a queue deleted since, or lost
 * with the relay's Redis, gets the same answer as before (404). Per process, so relay replicas on one
 * Redis each remember their own.
 */
export const REMEMBERED_QUEUES = 20_000;

type ScriptRunner = Record<QueueScriptName, (...keysAndArgs: (string | number)[]) => Promise<unknown>>;

/** The relay's queues and messages in Redis; the only code that knows the key layout. */
@Injectable()
export class QueueStore {
  private readonly keys: QueueKeys;
  private readonly scripts: ScriptRunner;
  private readonly bounds: RelayConfig['bounds'];
  private readonly knownRecipientKeys = new BoundedMap<string, string>(REMEMBERED_QUEUES);
  private readonly securedTargets = new BoundedMap<string, { recipientId: string; senderKey: string }>(REMEMBERED_QUEUES);

  constructor(@Inject(RELAY_REDIS) private readonly redis: RelayRedis, @Inject(RELAY_CONFIG) config: RelayConfig) {
    this.bounds = config.bounds;
    this.keys = new QueueKeys(config.name, { hashTags: config.redisClusterNodes.length > 0 });
    for (const [name, script] of Object.entries(QUEUE_SCRIPTS)) {
      redis.defineCommand(`relay_${name}`, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
    const commands = redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>;
    this.scripts = Object.fromEntries(
      Object.keys(QUEUE_SCRIPTS).map((name) => [name, (...a: (string | number)[]) => commands[`relay_${name}`](...a)]),
    ) as ScriptRunner;
  }

  /**
   * A new queue owned by `recipientKey`; 'too_many' past the caller's bound. A repeated
   * idempotency key answers the same queue only to the same recipient key (hashed together), so
   * someone who read a corrId in a log gets a queue of their own, never the creator's.
   *
   * Four one-slot steps (idem, caller, the queue with its sender key, idem again) that keep the
   * guarantees of one script: the caller's count is taken before the queue exists, so a flood
   * never overshoots the bound; of two concurrent retries of one idempotent create, both may build
   * a queue, but only the one whose `SET idem NX` lands answers its ids — the other removes its
   * queue, sender key and count and answers the winner's, so one queue is ever known.
   * A crash (or a Redis error) between steps leaves: after the count, a count one high (the
   * caller's bound is one lower until its queues are all removed); after the queue, also a queue
   * and sender key whose ids were never answered (nobody can use or find them; a retry of the
   * create makes another). Either needs the process to die within a few Redis round trips, costs a
   * few hundred bytes and one unit of a bound of 100,000 by default, and never lets two queues
   * answer one idempotency key. Not giving the count back on an error is deliberate: a queue whose
   * write failed may still exist, and an uncounted queue is what would let a caller overshoot.
   */
  async create(recipientKey: string, caller: string, idempotencyKey?: string): Promise<QueueIds | 'too_many'> {
    const idem = idempotencyKey === undefined ? undefined : this.keys.idempotency(hashOf(recipientKey, idempotencyKey));
    if (idem !== undefined) {
      const existing = await this.redis.get(idem);
      // The idempotency record is keyed by the recipient key too: the queue it names has this one.
      if (existing !== null) return this.remembered(parseIds(existing), recipientKey);
    }
    const callerHash = hashOf(caller);
    const callerKey = this.keys.caller(callerHash);
    if ((await this.scripts.callerAcquire(callerKey, this.bounds.queuesPerCaller)) === 'too_many') return 'too_many';
    const ours = { recipientId: newRelayId(), senderId: newRelayId() };
    const queueKey = this.keys.queue(ours.recipientId);
    const senderKey = this.keys.sender(ours.senderId);
    await Promise.all([
      this.redis.hset(queueKey, 'senderId', ours.senderId, 'recipientKey', recipientKey, 'caller', callerHash, 'seq', 0),
      this.redis.set(senderKey, ours.recipientId),
    ]);
    if (idem === undefined) return this.remembered(ours, recipientKey);
    const winner = await this.claimIdempotency(idem, ours);
    if (winner === ours) return this.remembered(ours, recipientKey);
    await Promise.all([this.redis.del(queueKey), this.redis.del(senderKey), this.scripts.callerRelease(callerKey)]);
    return this.remembered(winner, recipientKey);
  }

  private remembered(ids: QueueIds, recipientKey: string): QueueIds {
    this.knownRecipientKeys.set(ids.recipientId, recipientKey);
    return ids;
  }

  /** Our ids under `idem` unless another create's are there first: then theirs. */
  private async claimIdempotency(idem: string, ours: QueueIds): Promise<QueueIds> {
    // Two tries: the winner's record can only vanish between our SET and GET by expiring (days) or by hand.
    for (let attempt = 0; attempt < 2; attempt++) {
      if ((await this.redis.set(idem, `${ours.recipientId} ${ours.senderId}`, 'EX', this.bounds.bookkeepingTtlSeconds, 'NX')) === 'OK') return ours;
      const theirs = await this.redis.get(idem);
      if (theirs !== null) return parseIds(theirs);
    }
    throw new Error('idempotency record changed twice while creating a queue');
  }

  /** The key a queue's recipient signs with (also kept in a deleted queue's tombstone); null when unknown. */
  async recipientKey(recipientId: string): Promise<string | null> {
    const known = this.knownRecipientKeys.get(recipientId);
    if (known !== undefined) return known;
    const [live, gone] = await Promise.all([this.redis.hget(this.keys.queue(recipientId), 'recipientKey'), this.redis.get(this.keys.gone(recipientId))]);
    const key = live ?? (gone || null);
    if (key !== null) this.knownRecipientKeys.set(recipientId, key);
    return key;
  }

  /**
   * The recipient keys of live queues, by recipient id (absent: no such queue). One command per
   * queue, side by side: on a cluster the queues sit on different masters, and auto-pipelining
   * (see openRelayRedis) still sends them as one write per master.
   */
  async recipientKeys(recipientIds: string[]): Promise<Map<string, string>> {
    const keys = await Promise.all(recipientIds.map((rid) => this.redis.hget(this.keys.queue(rid), 'recipientKey')));
    const found = new Map<string, string>();
    keys.forEach((key, i) => {
      if (typeof key === 'string') found.set(recipientIds[i], key);
    });
    return found;
  }

  async secure(recipientId: string, senderKey: string): Promise<'ok' | 'not_found' | 'conflict'> {
    return (await this.scripts.secure(this.keys.queue(recipientId), senderKey)) as 'ok' | 'not_found' | 'conflict';
  }

  /** The queue a sender id writes to and its sender key ('' while unsecured); null when unknown. */
  async sendTarget(senderId: string): Promise<{ recipientId: string; senderKey: string } | null> {
    const known = this.securedTargets.get(senderId);
    if (known !== undefined) return known;
    const recipientId = await this.redis.get(this.keys.sender(senderId));
    if (!recipientId) return null;
    const senderKey = await this.redis.hget(this.keys.queue(recipientId), 'senderKey');
    const target = { recipientId, senderKey: senderKey ?? '' };
    if (target.senderKey !== '') this.securedTargets.set(senderId, target);
    return target;
  }

  /** A send found another key than the remembered one (never expected: secure refuses a second key): read it again. */
  forgetSendTarget(senderId: string): void {
    this.securedTargets.delete(senderId);
  }

  async send(recipientId: string, expectedKey: string, msgId: string, body: string, sentAt: string): Promise<SendOutcome> {
    const k = this.keys;
    const result = (await this.scripts.send(
      k.queue(recipientId),
      k.msgIds(recipientId),
      k.order(recipientId),
      k.messages(recipientId),
      msgId,
      expectedKey,
      JSON.stringify({ body, sentAt }),
      this.bounds.messagesPerQueue,
    )) as [string, number?];
    if (result[0] === 'stored') return { kind: 'stored', seq: Number(result[1]) };
    return { kind: result[0] as 'duplicate' | 'not_found' | 'key_changed' | 'full' };
  }

  async ack(recipientId: string, msgId: string): Promise<'ok' | 'not_found'> {
    const k = this.keys;
    return (await this.scripts.ack(k.queue(recipientId), k.order(recipientId), k.messages(recipientId), k.gone(recipientId), msgId)) as
      | 'ok'
      | 'not_found';
  }

  /**
   * The queue's own keys go in one step on its slot; the sender key and the caller's count live in
   * other slots and are cleaned after, by the one call that removed the queue (the script answers
   * 'removed' only to it). A crash between leaves a sender key naming a queue that no longer
   * exists — a send through it answers 404 like any unknown queue — and the caller's count one
   * high; each needs the process to die between two Redis round trips and costs one key or one
   * unit of a caller's bound, never access to anything.
   */
  async remove(recipientId: string): Promise<'ok' | 'not_found'> {
    const k = this.keys;
    const [outcome, senderId, callerHash] = (await this.scripts.remove(
      k.queue(recipientId),
      k.msgIds(recipientId),
      k.order(recipientId),
      k.messages(recipientId),
      k.gone(recipientId),
      this.bounds.bookkeepingTtlSeconds,
    )) as ['removed', string, string] | ['gone'] | ['not_found'];
    if (outcome === 'not_found') return 'not_found';
    if (outcome === 'removed') {
      await Promise.all([
        senderId ? this.redis.del(k.sender(senderId)) : undefined,
        callerHash ? this.scripts.callerRelease(k.caller(callerHash)) : undefined,
      ]);
    }
    return 'ok';
  }

  /**
   * Unacked messages of a queue with seq > afterSeq, in order, at most `limit` (32 bodies of up to
   * RELAY_MAX_MESSAGE_BYTES: what one push reads into memory per queue); `lastSeq` is the
   * seq the read reached (null when there was nothing), so a caller pages on past acked gaps.
   */
  async messagesAfter(recipientId: string, afterSeq: number, limit = 32): Promise<{ messages: StoredMessage[]; lastSeq: number | null }> {
    const flat = await this.redis.zrangebyscore(this.keys.order(recipientId), `(${afterSeq}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
    if (flat.length === 0) return { messages: [], lastSeq: null };
    const msgIds: string[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      msgIds.push(flat[i]);
      seqs.push(Number(flat[i + 1]));
    }
    const payloads = await this.redis.hmget(this.keys.messages(recipientId), ...msgIds);
    const messages: StoredMessage[] = [];
    payloads.forEach((payload, i) => {
      // Acked between the two reads: nothing to deliver.
      if (payload === null) return;
      const { body, sentAt } = JSON.parse(payload) as { body: string; sentAt: string };
      messages.push({ recipientId, msgId: msgIds[i], body, sentAt, seq: seqs[i] });
    });
    return { messages, lastSeq: seqs[seqs.length - 1] };
  }

  async ping(): Promise<string> {
    return this.redis.ping();
  }
}

function parseIds(ids: string): QueueIds {
  const [recipientId, senderId] = ids.split(' ');
  return { recipientId, senderId };
}

/** A short digest, so bookkeeping keys hold neither a caller's address nor key material verbatim. */
function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
}
