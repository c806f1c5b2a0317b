/** Every Redis key of one relay lives under `relay:<RELAY_NAME>:`, so relays can share a Redis. */
export class QueueKeys {
  readonly prefix: string;

  constructor(relayName: string) {
    this.prefix = `relay:${relayName}:`;
  }

  queue(rid: string) {
    return `${this.prefix}q:${rid}`;
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
    return `${this.prefix}gone:${rid}`;
  }
  msgIds(rid: string) {
    return `${this.prefix}ids:${rid}`;
  }
  order(rid: string) {
    return `${this.prefix}order:${rid}`;
  }
  messages(rid: string) {
    return `${this.prefix}msg:${rid}`;
  }
}
