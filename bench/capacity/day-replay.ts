import { addCost, Cost, CostModel, DerivedLoad, NO_COST } from './cost-model';
import { StepLoad } from './day-load';
import { SERVICES, ServiceMs } from './measured-costs';

export const ACTIVITIES = ['joins', 'messages', 'departures', 'contacts'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** One step's demand: per second, what each activity costs. */
export interface StepDemand {
  minute: number;
  byActivity: Record<Activity, Cost>;
  total: Cost;
  derived: DerivedLoad;
}

/** Peak and mean over the day of each figure the plan sizes by. */
export interface DaySummary {
  steps: StepDemand[];
  /** Cores = CPU ms per second / 1000. */
  meanCores: ServiceMs;
  peakCores: ServiceMs;
  meanCommandsPerSecond: number;
  peakCommandsPerSecond: number;
  mean: DerivedLoad;
  peak: DerivedLoad;
  /** Each activity's share of the day's CPU (all processes). */
  cpuShare: Record<Activity, number>;
  /** Chat commands, and events no command caused (each a relay message received), over the whole day. */
  commandsPerDay: number;
  eventsPerDay: number;
}

/** What one step's rates cost, per second. */
export function stepDemand(model: CostModel, step: StepLoad): StepDemand {
  const byActivity: Record<Activity, Cost> = { joins: NO_COST, messages: NO_COST, departures: NO_COST, contacts: addCost(NO_COST, model.contact(), step.contacts) };
  for (const b of step.buckets) {
    byActivity.joins = addCost(byActivity.joins, model.join(b.members), b.joins);
    byActivity.messages = addCost(byActivity.messages, model.message(b.members), b.messages);
    byActivity.departures = addCost(byActivity.departures, model.departure(b.members), b.departures);
  }
  const total = ACTIVITIES.reduce((acc, a) => addCost(acc, byActivity[a]), NO_COST);
  return { minute: step.minute, byActivity, total, derived: model.derived(total) };
}

/** Replays the day step by step against the model. */
export function replayDay(model: CostModel, load: StepLoad[], stepMinutes = 1): DaySummary {
  const steps = load.map((s) => stepDemand(model, s));
  const cores = (s: StepDemand, svc: keyof ServiceMs) => s.total.cpuMs[svc] / 1000;
  const meanOf = (f: (s: StepDemand) => number) => steps.reduce((sum, s) => sum + f(s), 0) / steps.length;
  const peakOf = (f: (s: StepDemand) => number) => Math.max(...steps.map(f));
  const perService = (agg: typeof meanOf) => Object.fromEntries(SERVICES.map((svc) => [svc, agg((s) => cores(s, svc))])) as unknown as ServiceMs;
  const derivedBy = (agg: typeof meanOf): DerivedLoad => ({
    queueRedisCommands: agg((s) => s.derived.queueRedisCommands),
    relayRedisCommands: agg((s) => s.derived.relayRedisCommands),
    postgresStatements: agg((s) => s.derived.postgresStatements),
    postgresTransactions: agg((s) => s.derived.postgresTransactions),
    walBytes: agg((s) => s.derived.walBytes),
  });
  const allCpu = (c: Cost) => SERVICES.reduce((sum, svc) => sum + c.cpuMs[svc], 0);
  const dayCpu = steps.reduce((sum, s) => sum + allCpu(s.total), 0);
  const cpuShare = Object.fromEntries(ACTIVITIES.map((a) => [a, dayCpu === 0 ? 0 : steps.reduce((sum, s) => sum + allCpu(s.byActivity[a]), 0) / dayCpu])) as Record<Activity, number>;
  return {
    steps,
    meanCores: perService(meanOf),
    peakCores: perService(peakOf),
    meanCommandsPerSecond: meanOf((s) => s.total.commands),
    peakCommandsPerSecond: peakOf((s) => s.total.commands),
    mean: derivedBy(meanOf),
    peak: derivedBy(peakOf),
    cpuShare,
    commandsPerDay: steps.reduce((sum, s) => sum + s.total.commands * stepMinutes * 60, 0),
    eventsPerDay: steps.reduce((sum, s) => sum + s.total.events * stepMinutes * 60, 0),
  };
}
