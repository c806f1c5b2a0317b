import { MeasuredCosts } from './measured-costs';

/** The apps' own intervals (apps/chat RECONCILE_INTERVAL_MS default; apps/agent inbound/relay-sessions.ts). */
export const SCAN_INTERVALS = {
  chatStatusCheckMs: 5_000,
  agentRecentSweepMs: 1_000,
  agentFullSweepMs: 30_000,
  /** Not the apps': a common Prometheus scrape interval (its default is 60 s). */
  metricsScrapeMs: 15_000,
} as const;

/**
 * Not measured: a sequential scan with a GROUP BY reads ~20M narrow rows/s per core; the outbox's rows
 * are ~600 B, so fewer: 0.05 µs per row is the optimistic end.
 */
export const SEQ_SCAN_MICROS_PER_ROW = 0.05;

/** Postgres cores that scans over every stored connection take, as the code is today. */
export interface StandingScans {
  microsPerRow: number;
  /** claimDueStatusChecks: its WHERE has no index (a due time computed per row, a join on unfinished users), every tick, on the lease holder. */
  chatStatusCheckCores: number;
  /**
   * OwnedQueueSubscriber, per agent and relay session: `recent` every second, whose updated_at filter no index
   * serves, so Postgres seq-scans the whole table (EXPLAIN on 200k rows: Parallel Seq Scan, 111 ms) once per
   * relay; and `all` every 30 s, an index walk over that relay's rows. Each agent reads every row and keeps its own.
   */
  agentSweepCores: number;
  /** The gc_chat_commands gauge: count(*) GROUP BY over the whole outbox, on every scrape of every chat. */
  commandsGaugeCores: number;
  /** Stored connections at which the agents' sweeps alone take one Postgres core. */
  connectionsForOneSweepCore: number;
}

/**
 * Costs that grow with what is stored, not with what happens: they are not in the per-command
 * figures (the bench's systems hold ≤ 10k connections), so they are sized apart, from the one bench
 * plan that reads every connection.
 */
export function standingScans(
  costs: MeasuredCosts,
  stored: { connections: number; commands: number },
  processes: { agents: number; chats: number; relays: number },
): StandingScans {
  const microsPerRow = (costs.scanPlan.ms * 1000) / costs.scanPlan.connections;
  const rowSeconds = (stored.connections * microsPerRow) / 1e6;
  // Whole tables read per agent per second: one per relay (recent), and all relays' rows once per full sweep.
  const sweepsPerSecond = (processes.relays * 1000) / SCAN_INTERVALS.agentRecentSweepMs + 1000 / SCAN_INTERVALS.agentFullSweepMs;
  return {
    microsPerRow,
    chatStatusCheckCores: rowSeconds / (SCAN_INTERVALS.chatStatusCheckMs / 1000),
    agentSweepCores: processes.agents * rowSeconds * sweepsPerSecond,
    commandsGaugeCores: (processes.chats * stored.commands * SEQ_SCAN_MICROS_PER_ROW) / 1e6 / (SCAN_INTERVALS.metricsScrapeMs / 1000),
    connectionsForOneSweepCore: 1e6 / (processes.agents * microsPerRow * sweepsPerSecond),
  };
}
