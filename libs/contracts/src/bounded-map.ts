/**
 * A Map that keeps at most `max` entries, dropping the oldest first (a Map iterates in insertion
 * order): for facts looked up again and again — parsed keys, a queue's recipient key, a token's user,
 * a statement's name — where a miss only costs a re-read.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
