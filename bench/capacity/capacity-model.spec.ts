import { DEFAULT_POLICY, PROTOCOL } from './capacity-assumptions';
import { capacityPlan } from './capacity-plan';
import { CostModel } from './cost-model';
import { dayLoad, DayShape, dayTotals, diurnalFactor, MINUTES_PER_DAY } from './day-load';
import { replayDay } from './day-replay';
import { loadMeasuredCosts, MeasuredCosts } from './measured-costs';
import { standingScans } from './standing-scans';

/** Round numbers, so every expectation below is computed by hand. */
function handCosts(): MeasuredCosts {
  const real = loadMeasuredCosts();
  return {
    ...real,
    convergence: [
      { members: 10, faultRate: 0, pairsReached: 45, pairsTotal: 45, chatCommandsPerPair: 10, cpuMsPerPair: { chat: 100, agent: 200, relay: 50, postgres: 150 } },
      { members: 10, faultRate: 0.3, pairsReached: 45, pairsTotal: 45, chatCommandsPerPair: 20, cpuMsPerPair: { chat: 200, agent: 400, relay: 100, postgres: 300 } },
      // Cut far from the end: its commands are those of 100 pairs over 10 finished ones. Not a cost.
      { members: 50, faultRate: 0, pairsReached: 10, pairsTotal: 100, chatCommandsPerPair: 99, cpuMsPerPair: { chat: 9_000, agent: 9_000, relay: 9_000, postgres: 9_000 } },
    ],
    redisCommandsPerCreate: { bullmq: 80, relay: 6 },
  };
}

/** One group size, a flat day, joins only: 1 join/s into groups of `members`. */
function joinsOnly(members: number, joinsPerSecond: number): DayShape {
  const groups = 500 / members; // 500 memberships whatever the size
  return {
    users: 1_000,
    groups,
    buckets: [{ members, shareOfGroups: 1, messagesPerMemberPerDay: 0 }],
    joinsPerMembershipPerDay: (joinsPerSecond * 86_400) / 500,
    departuresPerJoin: 0,
    contactsPerJoin: 0,
    diurnal: { amplitude: 0, secondHarmonic: 0, peakHourUtc: 0 },
  };
}

const agentCores = (shape: DayShape, costs = handCosts()) => replayDay(new CostModel(costs, 0), dayLoad(shape)).peakCores.agent;

describe('cost model', () => {
  it('costs a pair as the mean of the runs that reached their pairs, linear in the fault rate between them', () => {
    const costs = handCosts();
    expect(new CostModel(costs, 0).pair).toEqual({ commands: 10, events: 10 * PROTOCOL.eventsPerPairCommand, cpuMs: { chat: 100, agent: 200, relay: 50, postgres: 150 } });
    const mid = new CostModel(costs, 0.15).pair;
    expect(mid.commands).toBeCloseTo(15);
    expect(mid.cpuMs.agent).toBeCloseTo(300);
    const beyond = new CostModel(costs, 0.5);
    expect(beyond.pair.commands).toBe(20);
    expect(beyond.note).toMatch(/clamped/);
  });

  it('makes a join into a group of n members n pairs, and a message n − 1 deliveries of a SEND and an ACK', () => {
    const model = new CostModel(handCosts(), 0);
    const join = model.join(4);
    expect(join.commands).toBe(40);
    expect(join.cpuMs.agent).toBe(800);
    // Per command: 500 ms over 10 commands = 50 ms, of which agent 20.
    const message = model.message(5);
    expect(message.commands).toBe(8);
    expect(message.events).toBe(4);
    expect(message.cpuMs.agent).toBeCloseTo(160);
    expect(model.message(1).commands).toBe(0);
  });

  it('derives Redis commands from jobs: each command a job and its result, each other event one job', () => {
    const model = new CostModel(handCosts(), 0);
    const join = model.join(4); // 40 commands, 40·14/18 events
    expect(model.derived(join).queueRedisCommands).toBeCloseTo(40 * 80 + 40 * (14 / 18) * 40);
    expect(model.derived(join).relayRedisCommands).toBeCloseTo(40 * 6);
  });
});

describe('day replay', () => {
  it('doubling the joins doubles the agent cores', () => {
    // 1 join/s × 5 pairs × 200 ms = 1 core.
    expect(agentCores(joinsOnly(5, 1))).toBeCloseTo(1);
    expect(agentCores(joinsOnly(5, 2))).toBeCloseTo(2);
  });

  it('grows with the group size as O(n) for the same number of joins', () => {
    expect(agentCores(joinsOnly(10, 1))).toBeCloseTo(2);
    expect(agentCores(joinsOnly(20, 1))).toBeCloseTo(4);
  });

  it('follows the diurnal curve: its mean over the day is 1 and its peak 1 + a + b at the peak hour', () => {
    const shape: DayShape = { ...joinsOnly(5, 1), diurnal: { amplitude: 0.5, secondHarmonic: 0.2, peakHourUtc: 20 } };
    let sum = 0;
    for (let m = 0; m < MINUTES_PER_DAY; m++) sum += diurnalFactor(shape, m);
    expect(sum / MINUTES_PER_DAY).toBeCloseTo(1, 9);
    expect(diurnalFactor(shape, 20 * 60)).toBeCloseTo(1.7);
    const summary = replayDay(new CostModel(handCosts(), 0), dayLoad(shape));
    expect(summary.meanCores.agent).toBeCloseTo(1, 6);
    expect(summary.peakCores.agent).toBeCloseTo(1.7);
  });
});

describe('capacity plan', () => {
  it('sizes replicas at the target utilisation and Redis masters at their budget from the peak', () => {
    const costs = handCosts();
    const shape = joinsOnly(10, 1); // 10 pairs/s: agent 2 cores, 100 commands/s, 77.8 events/s
    const summary = replayDay(new CostModel(costs, 0), dayLoad(shape));
    const plan = capacityPlan(summary, dayTotals(shape), costs, { ...DEFAULT_POLICY, targetUtilisation: 0.6, redisCommandsPerMaster: 1_000, redisTargetUtilisation: 0.5, agentHeapLimitMb: 10_000 });
    expect(plan.agent.replicasByCpu).toBe(4); // 2 / 0.6 = 3.33
    // 100 × 80 + 77.8 × 40 = 11,111 commands/s over 500 each → 23 masters, shards ≥ 4 × 23 → 64.
    expect(plan.queueRedis.peakCommandsPerSecond).toBeCloseTo(100 * 80 + 100 * (14 / 18) * 40);
    expect(plan.queueRedis.masters).toBe(23);
    expect(plan.queueRedis.queueShards).toBe(64);
  });

  it('adds agents when their owned queues do not fit the heap bound', () => {
    const costs = handCosts();
    const shape = joinsOnly(10, 1); // 50 groups × 45 pairs × 4 = 9,000 connections
    const summary = replayDay(new CostModel(costs, 0), dayLoad(shape));
    const roomy = capacityPlan(summary, dayTotals(shape), costs, { ...DEFAULT_POLICY, agentHeapLimitMb: 10_000 });
    expect(roomy.agent.agentsByMemory).toBe(1);
    // 9,000 × 100 B = 0.9 MB into 0.1 MB of room each (heap bound − the measured heap in use) → 9.
    const tight = capacityPlan(summary, dayTotals(shape), costs, { ...DEFAULT_POLICY, agentHeapLimitMb: costs.memory.agentHeapMb + 0.1 });
    expect(tight.agent.agentsByMemory).toBe(9);
    expect(tight.agent.replicas).toBe(9);
  });
});

describe('standing scans', () => {
  it('grow with stored connections × agents × relays, not with commands', () => {
    const costs = { ...handCosts(), scanPlan: { what: 'hand', ms: 10, connections: 10_000 } }; // 1 µs a row
    const one = standingScans(costs, { connections: 1_000_000, commands: 0 }, { agents: 1, chats: 1, relays: 2 });
    // 1M rows × 1 µs = 1 s a scan; per second: 2 recent sweeps (one per relay) + 1/30 of a full one.
    expect(one.agentSweepCores).toBeCloseTo(2 + 1 / 30);
    expect(one.chatStatusCheckCores).toBeCloseTo(1 / 5);
    expect(one.connectionsForOneSweepCore).toBeCloseTo(1e6 / (2 + 1 / 30));
    const two = standingScans(costs, { connections: 1_000_000, commands: 0 }, { agents: 2, chats: 1, relays: 2 });
    expect(two.agentSweepCores).toBeCloseTo(2 * one.agentSweepCores);
  });
});
