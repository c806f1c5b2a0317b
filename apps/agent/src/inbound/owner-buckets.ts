import { createHash } from 'node:crypto';
import { ownerOf } from './rendezvous-owner';

/** Receive queues are owned in this many buckets: enough to spread evenly over hundreds of agents. */
export const OWNER_BUCKETS = 4096;

/**
 * A receive queue's bucket: the first 12 bits of md5 of its id — the same expression Postgres
 * stores in `agent.connections.owner_bucket` (migration 1764990000001), so SQL can select an
 * agent's queues by bucket.
 */
export function bucketOf(recipientId: string): number {
  return parseInt(createHash('md5').update(recipientId, 'utf8').digest('hex').slice(0, 3), 16);
}

/**
 * Who owns each bucket for one live set: rendezvous hashing of the bucket over the live agents, so
 * a change of the set moves only the buckets of the agent that came or went.
 */
export class BucketOwners {
  private readonly owner: string[];

  constructor(liveAgents: readonly string[]) {
    this.owner = Array.from({ length: OWNER_BUCKETS }, (_, b) => ownerOf(`bucket:${b}`, liveAgents) ?? '');
  }

  ownerOfQueue(recipientId: string): string {
    return this.owner[bucketOf(recipientId)];
  }

  /** The buckets `agent` owns as runs of consecutive buckets [first, last], in order. */
  runsOf(agent: string): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    for (let b = 0; b < OWNER_BUCKETS; b++) {
      if (this.owner[b] !== agent) continue;
      const last = runs[runs.length - 1];
      if (last && last[1] === b - 1) last[1] = b;
      else runs.push([b, b]);
    }
    return runs;
  }
}
