import { CapacityPlan } from './capacity-plan';
import { CostModel } from './cost-model';
import { DayShape, DayTotals } from './day-load';
import { ACTIVITIES, DaySummary } from './day-replay';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const n1 = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export interface ReportInput {
  shape: DayShape;
  totals: DayTotals;
  summary: DaySummary;
  plan: CapacityPlan;
  model: CostModel;
  utilisation: number;
  costsFrom: string;
}

/** The simulation's output as markdown: docs/scaling.md quotes it as printed. */
export function planReport({ shape, totals, summary, plan, model, utilisation, costsFrom }: ReportInput): string {
  const perDay = (v: number) => `${n0(v)} (${n1(v / 86_400)}/s mean)`;
  const peakFactor = summary.peakCommandsPerSecond / summary.meanCommandsPerSecond;
  const p = model.pair;
  const lines = [
    `Costs: ${costsFrom}; relay faults ${pct(model.faultRate)}${model.note ? ` (${model.note})` : ''}.`,
    `Per pair: ${n1(p.commands)} chat commands, CPU ms chat ${n1(p.cpuMs.chat)}, agent ${n1(p.cpuMs.agent)}, relay ${n1(p.cpuMs.relay)}, postgres ${n1(p.cpuMs.postgres)}; per other command ${n1(model.perCommand.cpuMs.chat + model.perCommand.cpuMs.agent + model.perCommand.cpuMs.relay + model.perCommand.cpuMs.postgres)} ms.`,
    '',
    table(
      ['load', 'per day'],
      [
        ['users / groups / memberships', `${n0(shape.users)} / ${n0(shape.groups)} / ${n0(totals.memberships)}`],
        ['joins', perDay(totals.joinsPerDay)],
        ['pairs made by joins', perDay(totals.pairsMadePerDay)],
        ['group messages sent', perDay(totals.messagesPerDay)],
        ['deliveries (message × recipient)', perDay(totals.deliveriesPerDay)],
        ['chat commands', perDay(summary.commandsPerDay)],
        ['peak minute / mean', n1(peakFactor)],
        ['CPU share: ' + ACTIVITIES.join(' / '), ACTIVITIES.map((a) => pct(summary.cpuShare[a])).join(' / ')],
        ['stored pairs / connections (= relay queues)', `${n0(totals.pairs)} / ${n0(totals.connections)}`],
      ],
    ),
    '',
    table(
      ['service', 'mean cores', 'peak cores', `replicas (${pct(utilisation)} at peak)`, 'what else bounds it'],
      [
        ['chat', n1(plan.chat.meanCores), n1(plan.chat.peakCores), n0(plan.chat.replicas), 'no per-connection state'],
        [
          'agent',
          n1(plan.agent.meanCores),
          n1(plan.agent.peakCores),
          n0(plan.agent.replicas),
          `by CPU ${n0(plan.agent.replicasByCpu)}, by memory ${n0(plan.agent.agentsByMemory)} (${n0(plan.agent.ownedQueuesPerAgent)} owned queues each)`,
        ],
        [
          'relay',
          n1(plan.relay.meanCores),
          n1(plan.relay.peakCores),
          n0(plan.relay.replicas),
          `${n0(plan.relay.queuesPerRelay)} queues each, ${n0(plan.relay.queuesPerCallerPerRelay)} per agent address${plan.relay.callerBoundExceeded ? ' > RELAY_MAX_QUEUES_PER_CALLER' : ''}; ~${n0(plan.relay.inMemoryMbPerRelay)} MB of subscriptions`,
        ],
        ['postgres', n1(plan.postgres.meanCores), n1(plan.postgres.peakCores), `${n0(plan.postgres.primaries)} primaries + ${n0(plan.postgres.readReplicas)} replicas`, `${n0(plan.postgres.partitions)} hash partitions by user`],
      ],
    ),
    '',
    table(
      ['store', 'peak', 'mean', 'sizing'],
      [
        ['queue Redis (BullMQ) commands/s', n0(plan.queueRedis.peakCommandsPerSecond), n0(plan.queueRedis.meanCommandsPerSecond), `${n0(plan.queueRedis.masters)} Cluster masters, QUEUE_SHARDS=${plan.queueRedis.queueShards}`],
        ['relay Redis commands/s; memory', n0(plan.relayRedis.peakCommandsPerSecond), `${n1(plan.relayRedis.memoryGb)} GB`, `${n0(plan.relayRedis.masters)} masters (ops ${n0(plan.relayRedis.mastersByOps)}, memory ${n0(plan.relayRedis.mastersByMemory)})`],
        ['Postgres transactions/s; statements/s', `${n0(plan.postgres.peakTransactionsPerSecond)}; ${n0(plan.postgres.peakStatementsPerSecond)}`, '', `${n0(plan.postgres.peakTransactionsPerSecond / plan.postgres.primaries)} TPS per primary`],
        ['Postgres WAL (estimated)', `${n1(plan.postgres.peakWalMbPerSecond)} MB/s`, '', ''],
        [
          'Postgres cores of scans over all connections (today\'s code, not in the above)',
          `chat status checks ${n0(plan.standing.chatStatusCheckCores)}; agent sweeps ${n0(plan.standing.agentSweepCores)}; commands gauge after a day ${n0(plan.standing.commandsGaugeCores)}`,
          '',
          `${plan.standing.microsPerRow.toFixed(2)} µs per connection row (the bench's scan plan); the sweeps of ${n0(plan.agent.replicas)} agents on ${n0(plan.relay.replicas)} relays take a core from ${n0(plan.standing.connectionsForOneSweepCore)} connections`,
        ],
        ['Postgres size: steady; growth per day', `${n0(plan.postgres.steadyGb)} GB`, `+${n0(plan.postgres.growthGbPerDay)} GB/day`, 'growth: nothing completed is deleted today'],
      ],
    ),
  ];
  return lines.join('\n');
}
