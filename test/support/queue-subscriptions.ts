import { Client } from 'pg';

/** One sample of a Prometheus text exposition (no labels matched: the sum over all series). */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${baseUrl}/metrics answered ${res.status}`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface SubscriptionCensus {
  relay: string;
  /** Live receive queues the agents stored for this relay. */
  queues: number;
  /** Queues the relay delivers to an open session (at most one session each, by construction). */
  atRelay: number;
  /** What the live agents say they hold, summed. */
  heldByAgents: number;
}

/**
 * For each relay: the live receive queues in the agents' table, the queues the relay has
 * subscribed to an open session, and the sum of what the live agents hold. "Every queue subscribed
 * exactly once" is queues = atRelay = heldByAgents: none left without a subscriber, and none held
 * by two agents (the relay counts each once, so two holders would make the agents' sum larger).
 */
export async function subscriptionCensus(
  db: Client,
  relays: Array<{ url: string; agentRelayUrl?: string }>,
  agentUrls: string[],
): Promise<SubscriptionCensus[]> {
  const census: SubscriptionCensus[] = [];
  for (const r of relays) {
    const relay = r.agentRelayUrl ?? r.url;
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM agent.connections WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted'`,
      [relay],
    );
    const held = await Promise.all(agentUrls.map((a) => metricValue(a, 'gc_agent_subscribed_queues', { relay })));
    census.push({ relay, queues: Number(rows[0].n), atRelay: await metricValue(r.url, 'gc_relay_subscribed_queues'), heldByAgents: held.reduce((a, b) => a + b, 0) });
  }
  return census;
}

/** Throws (for eventually) until every relay's queues are subscribed exactly once. */
export async function expectEveryQueueSubscribedOnce(db: Client, relays: Array<{ url: string }>, agentUrls: string[]): Promise<SubscriptionCensus[]> {
  const census = await subscriptionCensus(db, relays, agentUrls);
  for (const c of census) {
    if (c.queues !== c.atRelay || c.queues !== c.heldByAgents) {
      throw new Error(`relay ${c.relay}: ${c.queues} live queues, ${c.atRelay} subscribed at the relay, ${c.heldByAgents} held by the agents`);
    }
  }
  return census;
}
