/** A connection waiting on a peer event, and when its stage last changed (ms since the epoch). */
export interface WaitingConnection {
  connId: string;
  changedAt: number;
}

const MAX_DELAY_MS = 5 * 60_000;

/**
 * When to ask the agent again for the STATUS of a connection that waits on its peer: first once it
 * has waited `firstDelayMs`, then after twice the previous delay (capped at 5 min), from scratch when
 * its stage changes. A peer that is simply slow (or gone) then costs a few SUBSCRIBEs, not one every
 * interval; a lost event is still recovered, later the longer nothing happened.
 */
export class ResubscribeBackoff {
  private readonly next = new Map<string, { changedAt: number; delay: number; dueAt: number }>();

  constructor(private readonly firstDelayMs: number) {}

  /**
   * Of the connections waiting now (oldest change first), the ones due, at most `limit`; those past
   * the limit stay due for the next call. Connections no longer waiting are forgotten.
   */
  due(waiting: WaitingConnection[], now: number, limit: number): string[] {
    const due: string[] = [];
    const still = new Set<string>();
    for (const { connId, changedAt } of waiting) {
      still.add(connId);
      let entry = this.next.get(connId);
      if (!entry || entry.changedAt !== changedAt) {
        entry = { changedAt, delay: this.firstDelayMs, dueAt: changedAt + this.firstDelayMs };
        this.next.set(connId, entry);
      }
      if (now < entry.dueAt || due.length >= limit) continue;
      due.push(connId);
      entry.delay = Math.min(entry.delay * 2, MAX_DELAY_MS);
      entry.dueAt = now + entry.delay;
    }
    for (const connId of this.next.keys()) if (!still.has(connId)) this.next.delete(connId);
    return due;
  }
}
