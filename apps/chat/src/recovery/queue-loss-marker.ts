import { randomUUID } from 'node:crypto';

/**
 * Tells when the queue Redis lost its data (FLUSHDB, a restart without persistence), so the lost
 * events are recovered at once instead of by the time-based re-subscribe. A key under the queue
 * prefix holds a random value shared by every chat process: the first to find it missing writes its
 * own (SET NX); a chat that then finds it missing or holding another value than the one it saw last
 * knows the data went away since. Two chats may both notice one loss and both recover: that only
 * repeats SUBSCRIBEs, whose STATUS handling is idempotent. (BullMQ already needs `noeviction`, so the
 * key is not evicted under memory pressure.)
 */
export class QueueLossMarker {
  private seen: string | undefined;

  constructor(
    /** Redis `SET key value NX GET`: writes the value if the key is missing; answers the previous value. */
    private readonly setIfAbsent: (key: string, value: string) => Promise<string | null>,
    private readonly key: string,
  ) {}

  /** Whether the queue Redis lost its data since the last call; the first call only learns the marker. */
  async lost(): Promise<boolean> {
    const candidate = randomUUID();
    // One round trip: writes the marker if missing and returns what was there.
    const previous = await this.setIfAbsent(this.key, candidate);
    const current = previous ?? candidate;
    const lost = this.seen !== undefined && current !== this.seen;
    this.seen = current;
    return lost;
  }
}

/** The marker's key: under the queue prefix (its hash tag), so it lives and dies with the queues. */
export function queueLossMarkerKey(queuePrefix: string): string {
  return `${queuePrefix}:chat:queue-marker`;
}
