import { createHash } from 'node:crypto';

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
    // Each agent's id is hashed once and each bucket's weight is two multiplications: 4096 buckets ×
    // the live agents stays a few ms at 48 agents (a string hash per pair took the event loop away
    // for hundreds of ms on a busy machine).
    const agents = liveAgents.map((id) => ({ id, hash: fnv1a(id) }));
    this.owner = Array.from({ length: OWNER_BUCKETS }, (_, b) => {
      const bucketHash = mix(Math.imul(b + 1, 0x9e3779b1));
      let owner = '';
      let best = -1;
      for (const agent of agents) {
        const weight = mix(agent.hash ^ bucketHash);
        if (weight > best || (weight === best && agent.id < owner)) {
          best = weight;
          owner = agent.id;
        }
      }
      return owner;
    });
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

/**
 * Joins runs separated by at most `maxGap` buckets: a full pass's query per run costs a round trip,
 * reading a few rows of other agents' buckets (dropped by owns()) costs less. With `maxGap` from the
 * rows a bucket holds, a small store is read in one query and a large one by the agent's share only.
 */
export function mergeRuns(runs: ReadonlyArray<readonly [number, number]>, maxGap: number): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [first, last] of runs) {
    const prev = merged[merged.length - 1];
    if (prev && first - prev[1] - 1 <= maxGap) prev[1] = last;
    else merged.push([first, last]);
  }
  return merged;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: FNV alone spreads strings with a long common prefix poorly. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
