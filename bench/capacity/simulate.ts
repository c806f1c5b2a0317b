import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, SizingPolicy } from './capacity-assumptions';
import { capacityPlan, CapacityPlan } from './capacity-plan';
import { readBenchReport } from './bench-report-reader';
import { CostModel } from './cost-model';
import { dayLoad, DayShape, dayTotals, DEFAULT_DAY } from './day-load';
import { replayDay } from './day-replay';
import { DEFAULT_COSTS_FILE, loadMeasuredCosts, MeasuredCosts } from './measured-costs';
import { planReport } from './plan-report';
import { parseSimulateOptions, SimulateOptions } from './simulate-options';

export interface Simulation {
  shape: DayShape;
  policy: SizingPolicy;
  model: CostModel;
  plan: CapacityPlan;
  report: string;
}

/** The day's shape with the what-if multipliers applied. */
export function scaledDay(base: DayShape, joinsScale: number, messagesScale: number): DayShape {
  return {
    ...base,
    joinsPerMembershipPerDay: base.joinsPerMembershipPerDay * joinsScale,
    buckets: base.buckets.map((b) => ({ ...b, messagesPerMemberPerDay: b.messagesPerMemberPerDay * messagesScale })),
  };
}

/** Replays a day of `shape` against the costs and sizes the deployment for it. */
export function simulate(costs: MeasuredCosts, opts: SimulateOptions, shape: DayShape = DEFAULT_DAY, costsFrom = 'measured costs'): Simulation {
  const policy: SizingPolicy = { ...DEFAULT_POLICY, targetUtilisation: opts.targetUtilisation, agentHeapLimitMb: opts.agentHeapMb };
  const day = scaledDay(shape, opts.joinsScale, opts.messagesScale);
  const model = new CostModel(costs, opts.faults);
  const totals = dayTotals(day);
  const summary = replayDay(model, dayLoad(day, opts.stepMinutes), opts.stepMinutes);
  const plan = capacityPlan(summary, totals, costs, policy);
  return { shape: day, policy, model, plan, report: planReport({ shape: day, totals, summary, plan, model, utilisation: policy.targetUtilisation, costsFrom }) };
}

function main(): void {
  const opts = parseSimulateOptions(process.argv.slice(2));
  const file = opts.costs ?? DEFAULT_COSTS_FILE;
  let costs = loadMeasuredCosts(file);
  let from = `${costs.source.file} of ${costs.source.date} (\`${costs.source.command}\`)`;
  if (opts.benchReport) {
    const reading = readBenchReport(readFileSync(opts.benchReport, 'utf8'), costs);
    costs = reading.costs;
    from = `${opts.benchReport}'s generated block of ${costs.source.date} (${reading.taken.join(', ')}; from ${file}: ${reading.kept.join(', ')})`;
  }
  const result = simulate(costs, opts, DEFAULT_DAY, from);
  process.stdout.write(opts.json ? `${JSON.stringify({ costsFrom: from, faults: opts.faults, policy: result.policy, plan: result.plan }, null, 2)}\n` : `${result.report}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`simulate: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
