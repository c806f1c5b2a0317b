import { BoundedMap } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { KeyObject, sign } from 'node:crypto';
import { DataSource } from 'typeorm';
import { privateKeyOf } from '../crypto/private-keys';

/** Keys kept in memory at most; past it the oldest are dropped (they are read again from Postgres). */
const MAX_CACHED_KEYS = 200_000;

/**
 * The recipient keys of our receive queues (Ed25519, one per connection, stored with it), by relay
 * and recipient id, for signing recipient operations (secure, ack, delete, subscribe). Keys never
 * change once stored, so a cached one is always right; misses are read in one query per batch.
 */
@Injectable()
export class RecipientKeyring {
  private readonly keys = new BoundedMap<string, KeyObject>(MAX_CACHED_KEYS);

  constructor(private readonly dataSource: DataSource) {}

  /** Made known by the command that created the queue (before it is stored, so its subscribe can sign). */
  remember(relay: string, recipientId: string, privateKey: string): void {
    this.put(relay, recipientId, privateKeyOf(privateKey));
  }

  /** base64 Ed25519 signature of `statement` with the queue's recipient key. */
  async sign(relay: string, recipientId: string, statement: string): Promise<string> {
    const key = (await this.keysOf(relay, [recipientId])).get(recipientId);
    if (!key) throw new Error(`no recipient key for a queue on ${relay}: the connection row has none`);
    return signWith(key, statement);
  }

  /** The keys of these queues that we hold (a queue of no connection of ours is absent). */
  async keysOf(relay: string, recipientIds: string[]): Promise<Map<string, KeyObject>> {
    const found = new Map<string, KeyObject>();
    const missing: string[] = [];
    for (const rid of recipientIds) {
      const key = this.keys.get(cacheKey(relay, rid));
      if (key) found.set(rid, key);
      else missing.push(rid);
    }
    if (missing.length === 0) return found;
    const rows: Array<{ rid: string; key: string }> = await this.dataSource.query(
      `SELECT rcv_recipient_id AS rid, recipient_private_key AS key FROM "agent"."connections"
        WHERE rcv_relay = $1 AND rcv_recipient_id = ANY($2) AND recipient_private_key IS NOT NULL`,
      [relay, missing],
    );
    for (const row of rows) {
      const key = privateKeyOf(row.key);
      this.put(relay, row.rid, key);
      found.set(row.rid, key);
    }
    return found;
  }

  private put(relay: string, recipientId: string, key: KeyObject): void {
    this.keys.set(cacheKey(relay, recipientId), key);
  }
}

export function signWith(key: KeyObject, text: string): string {
  return sign(null, Buffer.from(text), key).toString('base64');
}

const cacheKey = (relay: string, recipientId: string) => `${relay}|${recipientId}`;
