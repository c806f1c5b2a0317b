import { ESTIMATES, PROTOCOL } from './capacity-assumptions';
import { ConvergenceCost, MeasuredCosts, SERVICES, ServiceMs } from './measured-costs';

/**
 * What some work costs: chat commands (a command job and its result event each), events no command
 * caused (a peer's relay message), and CPU ms of each process kind.
 */
export interface Cost {
  commands: number;
  events: number;
  cpuMs: ServiceMs;
}

export const NO_COST: Cost = { commands: 0, events: 0, cpuMs: { chat: 0, agent: 0, relay: 0, postgres: 0 } };

export function addCost(a: Cost, b: Cost, times = 1): Cost {
  const cpuMs = { ...a.cpuMs };
  for (const s of SERVICES) cpuMs[s] += b.cpuMs[s] * times;
  return { commands: a.commands + b.commands * times, events: a.events + b.events * times, cpuMs };
}

export function scaleCost(c: Cost, times: number): Cost {
  return addCost(NO_COST, c, times);
}

/** Redis commands and Postgres work that a Cost implies. */
export interface DerivedLoad {
  /** BullMQ: a command job, its result event, and the events no command caused. */
  queueRedisCommands: number;
  relayRedisCommands: number;
  postgresStatements: number;
  /** The agent's single statements commit alone, the chat's resume is one transaction. */
  postgresTransactions: number;
  walBytes: number;
}

/**
 * Per-operation costs at one fault rate, from a bench run. The group protocol's unit is the pair: a
 * member joining a group of n members makes n pairs, each ~15 chat commands at 0% faults (more under
 * faults: retried steps, hedges), so a join costs O(n) and a full group O(n²). Every other
 * command (a message's SEND and ACK, a departure's DELETEs, a contact's handshake) is costed at the
 * group protocol's CPU per command, since like those it carries a relay message to a peer's agent and
 * back as an event; the bench's CREATE figure (no peer) is lower and is the model's floor.
 */
export class CostModel {
  /** One pair of the group protocol. */
  readonly pair: Cost;
  /** CPU per chat command of the group protocol (the pair's CPU over its commands). */
  readonly perCommand: Cost;
  /** A fault rate outside the measured ones is clamped to the nearest; this says so. */
  readonly note: string | undefined;

  constructor(
    readonly costs: MeasuredCosts,
    readonly faultRate: number,
  ) {
    const { pair, note } = pairCostAt(costs.convergence, faultRate);
    this.pair = pair;
    this.note = note;
    this.perCommand = scaleCost(pair, 1 / pair.commands);
  }

  /** A member joining a group that has `members` members: one pair with each. */
  join(members: number): Cost {
    return scaleCost(this.pair, members);
  }

  /** A message sent to a group of `members` (the sender included): one delivery to each other member. */
  message(members: number): Cost {
    return this.commandsOf(Math.max(0, members - 1), PROTOCOL.commandsPerDelivery, PROTOCOL.eventsPerDelivery);
  }

  /** A member leaving (or removed from) a group of `members`. */
  departure(members: number): Cost {
    return this.commandsOf(Math.max(0, members - 1), PROTOCOL.commandsPerDepartureMember, PROTOCOL.eventsPerDepartureMember);
  }

  contact(): Cost {
    return this.commandsOf(1, PROTOCOL.commandsPerContact, PROTOCOL.eventsPerContact);
  }

  /** `times` units of `commands` commands and `events` events, at the group protocol's CPU per command. */
  private commandsOf(times: number, commands: number, events: number): Cost {
    return { ...scaleCost(this.perCommand, times * commands), events: times * events };
  }

  derived(cost: Cost): DerivedLoad {
    const perJob = this.costs.redisCommandsPerCreate.bullmq / 2; // a CREATE is one command job and one event job
    const statements = this.costs.postgresStatementsPerCreate;
    return {
      queueRedisCommands: cost.commands * this.costs.redisCommandsPerCreate.bullmq + cost.events * perJob,
      relayRedisCommands: cost.commands * this.costs.redisCommandsPerCreate.relay,
      postgresStatements: cost.commands * (statements.chat + statements.agent),
      postgresTransactions: cost.commands * (PROTOCOL.chatTransactionsPerCommand + statements.agent),
      walBytes: cost.commands * ESTIMATES.walBytesPerCommand,
    };
  }
}

/** The runs that are costs (see PROTOCOL.minPairsReachedShare), averaged per fault rate. */
export function pairCostsByFaultRate(runs: ConvergenceCost[]): Map<number, Cost> {
  const byRate = new Map<number, ConvergenceCost[]>();
  for (const run of runs) {
    if (run.pairsReached / run.pairsTotal < PROTOCOL.minPairsReachedShare) continue;
    byRate.set(run.faultRate, [...(byRate.get(run.faultRate) ?? []), run]);
  }
  const means = new Map<number, Cost>();
  for (const [rate, list] of [...byRate].sort((a, b) => a[0] - b[0])) {
    const sum = list.reduce((acc, r) => addCost(acc, { commands: r.chatCommandsPerPair, events: r.chatCommandsPerPair * PROTOCOL.eventsPerPairCommand, cpuMs: r.cpuMsPerPair }), NO_COST);
    means.set(rate, scaleCost(sum, 1 / list.length));
  }
  return means;
}

/** Linear between the two measured fault rates around `faultRate`; clamped outside them. */
export function pairCostAt(runs: ConvergenceCost[], faultRate: number): { pair: Cost; note?: string } {
  const means = [...pairCostsByFaultRate(runs)];
  if (means.length === 0) throw new Error(`no convergence run reached ${PROTOCOL.minPairsReachedShare * 100}% of its pairs: no pair cost to use`);
  const [lowRate, low] = means[0];
  const [highRate, high] = means[means.length - 1];
  if (faultRate <= lowRate) return { pair: low, note: faultRate < lowRate ? `fault rate ${faultRate} clamped to the lowest measured, ${lowRate}` : undefined };
  if (faultRate >= highRate) return { pair: high, note: faultRate > highRate ? `fault rate ${faultRate} clamped to the highest measured, ${highRate}` : undefined };
  const upper = means.findIndex(([rate]) => rate >= faultRate);
  const [r0, c0] = means[upper - 1];
  const [r1, c1] = means[upper];
  const t = (faultRate - r0) / (r1 - r0);
  return { pair: addCost(scaleCost(c0, 1 - t), c1, t) };
}
