/**
 * Issue 12's targets, in one place: the report table's PASS/MISS and the convergence chart's
 * vertical marks read the same numbers.
 */
export const TARGETS = {
  /** ours / naive peer, same run, 20 users and one user. */
  throughputRatio: 1.0,
  singleUserRatio: 1.0,
  unloadedP50Ms: 10,
  unloadedP99Ms: 25,
  /** T(30%) / T(0%) at 10 members. */
  faultSlowdown: 1.5,
  faultSlowdownMembers: 10,
  /** CPU ms per pair (all processes) ÷ the naive peer's CPU ms per command, 10 members at 0%. */
  cpuPerPairNaiveCommands: 20,
  cpuPerPairMembers: 10,
} as const;

/** Time to full mesh, seconds, by members and fault rate (the rates the issue names: 0 and 0.3). */
const CONVERGENCE_SECONDS: Record<number, Record<string, number>> = {
  25: { '0': 15, '0.3': 25 },
  50: { '0': 40, '0.3': 60 },
};

export function convergenceTargetSeconds(members: number, faultRate: number): number | undefined {
  return CONVERGENCE_SECONDS[members]?.[String(Math.round(faultRate * 100) / 100)];
}
