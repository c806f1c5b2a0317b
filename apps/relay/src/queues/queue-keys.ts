/**
 * Every Redis key of one relay lives under `relay:<RELAY_NAME>:`, so relays can share a Redis.
 *
 * With `hashTags` (a Redis Cluster) the recipient id of a queue's keys is a hash tag —
 * `q:{<rid>}`, `ids:{<rid>}`, `order:{<rid>}`, `msg:{<rid>}`, `gone:{<rid>}` — so one queue's keys
 * share a slot (a script may touch them together) and the queues spread over the masters. On a
 * single Redis the names stay untagged, as before hash tags: a relay upgraded in place keeps the
 * queues it holds (tagged names would orphan every one of them, and each member whose queue
 * vanished has to be introduced again), and a slot means nothing there. Sender, caller and
 * idempotency keys are one key per step in either mode, so they need no tag.
 */
export class QueueKeys {
  readonly prefix: string;
  private readonly tag: (rid: string) => string;

  constructor(relayName: string, opts: { hashTags: boolean }) {
    this.prefix = `relay:${relayName}:`;
    this.tag = opts.hashTags ? (rid) => `{${rid}}` : (rid) => rid;
  }

  queue(rid: string) {
    return `${this.prefix}q:${this.tag(rid)}`;
  }
  sender(sid: string) {
    return `${this.prefix}s:${sid}`;
  }
  /** Scoped to the creator's recipient key, hashed: a repeated key never names another caller's queue. */
  idempotency(scopedHash: string) {
    return `${this.prefix}idem:${scopedHash}`;
  }
  caller(callerHash: string) {
    return `${this.prefix}caller:${callerHash}`;
  }
  gone(rid: string) {
    return `${this.prefix}gone:${this.tag(rid)}`;
  }
  msgIds(rid: string) {
    return `${this.prefix}ids:${this.tag(rid)}`;
  }
  order(rid: string) {
    return `${this.prefix}order:${this.tag(rid)}`;
  }
  messages(rid: string) {
    return `${this.prefix}msg:${this.tag(rid)}`;
  }
}
