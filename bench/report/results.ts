import { CryptoCost } from '../measure/crypto-cost';
import { Distribution } from '../measure/distribution';
import { ThroughputRun } from '../measure/load-driver';
import { commandTimings } from '../measure/command-timings';
import { QueryPlan } from '../profile/query-plans';
import { RecoveryRun } from '../scenarios/agent-recovery';
import { MemoryRun } from '../scenarios/connection-memory';
import { ConvergenceRun } from '../scenarios/group-convergence';
import { HotPathProfile } from '../scenarios/hot-path-profile';
import { ReplicaOutcome } from '../scenarios/replica-scaling';

/** Everything one bench run measured; the table and the generated block are views of it. */
export interface Results {
  /** The naive peer, 20 users (run before and after ours). */
  baseline: ThroughputRun[];
  /** The naive peer, one user with the single-user run's callers (before and after ours). */
  baselineSingleUser: ThroughputRun[];
  ours?: ThroughputRun;
  oursSingleUser?: ThroughputRun;
  crypto?: CryptoCost;
  unloaded?: Distribution;
  loaded?: { rate: number; dist: Distribution };
  recovery?: RecoveryRun;
  recoveryTwoAgents?: RecoveryRun;
  memory?: MemoryRun;
  plans: QueryPlan[];
  timings: Awaited<ReturnType<typeof commandTimings>>;
  convergence: ConvergenceRun[];
  replicas: ReplicaOutcome[];
  profile?: HotPathProfile;
  /** Convergence chart PNGs by group size, as paths relative to the report file. */
  charts: Map<number, string>;
}

export const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

/** CPU ms per command over every process group of a run. */
export const cpuTotal = (run?: ThroughputRun): number => Object.values(run?.cpuMsPerCommand ?? {}).reduce((s, v) => s + v, 0);

/** The naive peer's CPU ms per command (node + Postgres), mean of this run's 20-user baseline runs: the unit machines compare in. */
export function naiveCpuMsPerCommand(r: Results): number {
  const runs = r.baseline.filter((b) => cpuTotal(b) > 0);
  return mean(runs.map(cpuTotal));
}
