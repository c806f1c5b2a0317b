/**
 * Rendezvous (highest-random-weight) hashing: the owner of a receive queue is the live agent whose
 * hash with the queue id is highest. Every agent computes the same owner from the same live set
 * with no coordination, and a membership change moves only the queues of the agent that came or
 * went (≈ 1/n of them), not all of them.
 */
export function ownerOf(recipientId: string, liveAgents: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = -1;
  for (const agent of liveAgents) {
    const weight = mix(fnv1a(`${agent}|${recipientId}`));
    if (weight > best || (weight === best && owner !== undefined && agent < owner)) {
      best = weight;
      owner = agent;
    }
  }
  return owner;
}

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: FNV alone spreads strings with a long common prefix poorly. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
