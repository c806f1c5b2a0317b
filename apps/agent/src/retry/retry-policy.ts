export interface BackoffSettings {
  baseMs: number;
  factor: number;
  maxMs: number;
}

/**
 * The agent's one retry policy (the agent's retry contract, docs/architecture.md "Agent"): exponential backoff with full jitter, capped, and no
 * attempt limit — a connection command is retried for as long as the network stays bad.
 * Built from RETRY_BASE_MS / RETRY_FACTOR / RETRY_MAX_MS (see retry.module.ts).
 */
export class RetryPolicy {
  constructor(
    private readonly settings: BackoffSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** The ceiling for the given (0-based) attempt: min(max, base × factor^attempt). */
  ceilingMs(attempt: number): number {
    const { baseMs, factor, maxMs } = this.settings;
    // A huge attempt makes the power Infinity, which min() still caps.
    return Math.min(maxMs, baseMs * Math.pow(factor, Math.max(0, attempt)));
  }

  /** Full jitter: uniform in [0, ceiling], so agents retrying at once do not stampede a relay. */
  delayMs(attempt: number): number {
    return Math.round(this.random() * this.ceilingMs(attempt));
  }
}
