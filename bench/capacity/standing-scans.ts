import { MeasuredCosts } from './measured-costs';

/** The apps' own intervals (apps/chat RECONCILE_INTERVAL_MS default; apps/agent inbound/relay-sessions.ts). */
export const SCAN_INTERVALS = {
  chatStatusCheckMs: 5_000,
  agentRecentSweepMs: 1_000,
  agentFullSweepMs: 30_000,
} as const;

/** Postgres cores that scans over every stored connection take, as the code is today. */
export interface StandingScans {
  microsPerRow: number;
  /** claimDueStatusChecks: its WHERE has no index (a due time computed per row, a join on unfinished users), every tick, on the lease holder. */
  chatStatusCheckCores: number;
  /**
   * OwnedQueueSubscriber, per agent and relay: `recent` every second (its updated_at filter has no index, so the walk
   * in rcv_recipient_id order reads every row of the relay) and `all` every 30 s; each agent reads every connection and keeps its own.
   */
  agentSweepCores: number;
}

/**
 * Costs that grow with what is stored, not with what happens: they are not in the per-command
 * figures (the bench's systems hold ≤ 10k connections), so they are sized apart, from the one bench
 * plan that reads every connection.
 */
export function standingScans(costs: MeasuredCosts, connections: number, agents: number): StandingScans {
  const microsPerRow = (costs.scanPlan.ms * 1000) / costs.scanPlan.connections;
  const rowSeconds = (connections * microsPerRow) / 1e6;
  return {
    microsPerRow,
    chatStatusCheckCores: rowSeconds / (SCAN_INTERVALS.chatStatusCheckMs / 1000),
    agentSweepCores: agents * rowSeconds * (1000 / SCAN_INTERVALS.agentRecentSweepMs + 1000 / SCAN_INTERVALS.agentFullSweepMs),
  };
}
