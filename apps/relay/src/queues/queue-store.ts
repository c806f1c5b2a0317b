import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { RELAY_REDIS } from '../redis/relay-redis.module';
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

type ScriptRunner = Record<QueueScriptName, (...keysAndArgs: (string | number)[]) => Promise<unknown>>;

/** The relay's queues and messages in Redis; the only code that knows the key layout. */
@Injectable()
export class QueueStore {
  private readonly keys: QueueKeys;
  private readonly scripts: ScriptRunner;
  private readonly bounds: RelayConfig['bounds'];

  constructor(@Inject(RELAY_REDIS) private readonly redis: Redis, @Inject(RELAY_CONFIG) config: RelayConfig) {
    this.bounds = config.bounds;
    this.keys = new QueueKeys(config.name);
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
   */
  async create(recipientKey: string, caller: string, idempotencyKey?: string): Promise<QueueIds | 'too_many'> {
    const recipientId = newRelayId();
    const senderId = newRelayId();
    const idem = this.keys.idempotency(idempotencyKey === undefined ? '-' : hashOf(recipientKey, idempotencyKey));
    const callerHash = hashOf(caller);
    const ids = (await this.scripts.create(
      idem,
      this.keys.queue(recipientId),
      this.keys.sender(senderId),
      this.keys.caller(callerHash),
      recipientId,
      senderId,
      recipientKey,
      callerHash,
      this.bounds.queuesPerCaller,
      this.bounds.bookkeepingTtlSeconds,
      idempotencyKey === undefined ? '0' : '1',
    )) as string;
    if (ids === 'too_many') return 'too_many';
    const [rid, sid] = ids.split(' ');
    return { recipientId: rid, senderId: sid };
  }

  /** The key a queue's recipient signs with (also kept in a deleted queue's tombstone); null when unknown. */
  async recipientKey(recipientId: string): Promise<string | null> {
    const [live, gone] = await this.redis.pipeline().hget(this.keys.queue(recipientId), 'recipientKey').get(this.keys.gone(recipientId)).exec().then(
      (results) => (results ?? []).map(([err, value]) => {
        if (err) throw err;
        return value as string | null;
      }),
    );
    return live ?? (gone || null);
  }

  /** The recipient keys of live queues, by recipient id (absent: no such queue). */
  async recipientKeys(recipientIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (recipientIds.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const rid of recipientIds) pipeline.hget(this.keys.queue(rid), 'recipientKey');
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, key], i) => {
      if (err) throw err;
      if (typeof key === 'string') found.set(recipientIds[i], key);
    });
    return found;
  }

  async secure(recipientId: string, senderKey: string): Promise<'ok' | 'not_found' | 'conflict'> {
    return (await this.scripts.secure(this.keys.queue(recipientId), senderKey)) as 'ok' | 'not_found' | 'conflict';
  }

  /** The queue a sender id writes to and its sender key ('' while unsecured); null when unknown. */
  async sendTarget(senderId: string): Promise<{ recipientId: string; senderKey: string } | null> {
    const recipientId = await this.redis.get(this.keys.sender(senderId));
    if (!recipientId) return null;
    const senderKey = await this.redis.hget(this.keys.queue(recipientId), 'senderKey');
    return { recipientId, senderKey: senderKey ?? '' };
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

  async remove(recipientId: string): Promise<'ok' | 'not_found'> {
    const k = this.keys;
    return (await this.scripts.remove(
      k.queue(recipientId),
      k.msgIds(recipientId),
      k.order(recipientId),
      k.messages(recipientId),
      k.gone(recipientId),
      k.prefix,
      this.bounds.bookkeepingTtlSeconds,
    )) as 'ok' | 'not_found';
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

/** A short digest, so bookkeeping keys hold neither a caller's address nor key material verbatim. */
function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
}
