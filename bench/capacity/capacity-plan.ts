import { ESTIMATES, SizingPolicy } from './capacity-assumptions';
import { DayTotals } from './day-load';
import { DaySummary } from './day-replay';
import { MeasuredCosts } from './measured-costs';
import { StandingScans, standingScans } from './standing-scans';

const GB = 1e9;
const MB = 1e6;

export interface NodeServicePlan {
  meanCores: number;
  peakCores: number;
  /** Replicas of one core each at the policy's utilisation in the peak minute (a Node process runs on one core). */
  replicasByCpu: number;
  replicas: number;
}

export interface CapacityPlan {
  chat: NodeServicePlan;
  /** Also bounded by the owned queues' ids it keeps in memory (agentsByMemory). */
  agent: NodeServicePlan & { agentsByMemory: number; ownedQueuesPerAgent: number };
  /** One process per relay (its push registry is in memory), so relays are added by name. */
  relay: NodeServicePlan & { queuesPerRelay: number; queuesPerCallerPerRelay: number; callerBoundExceeded: boolean; inMemoryMbPerRelay: number };
  queueRedis: { meanCommandsPerSecond: number; peakCommandsPerSecond: number; masters: number; queueShards: number };
  relayRedis: { peakCommandsPerSecond: number; memoryGb: number; mastersByOps: number; mastersByMemory: number; masters: number };
  postgres: {
    meanCores: number;
    peakCores: number;
    primaries: number;
    peakTransactionsPerSecond: number;
    peakStatementsPerSecond: number;
    peakWalMbPerSecond: number;
    /** Connections of both schemas, stored as long as the groups exist. */
    steadyGb: number;
    /** Outbox, journal, inbox, receipts and group messages written in a day, none deleted today. */
    growthGbPerDay: number;
    partitions: number;
    readReplicas: number;
  };
  /** Scans over every stored connection (not in `postgres.peakCores`): what blocks this plan today. */
  standing: StandingScans;
}

const atLeast = (n: number, min: number) => Math.max(min, Math.ceil(n - 1e-9));

function nodeService(meanCores: number, peakCores: number, policy: SizingPolicy): NodeServicePlan {
  const replicasByCpu = Math.ceil(peakCores / policy.targetUtilisation - 1e-9);
  return { meanCores, peakCores, replicasByCpu, replicas: Math.max(policy.minReplicas, replicasByCpu) };
}

/** The smallest power of two ≥ n, capped at QUEUE_SHARDS' 64. */
function shardsFor(n: number): number {
  let s = 1;
  while (s < n && s < 64) s *= 2;
  return s;
}

/** Turns the day's peak and mean demand into processes, masters and primaries, by the stated policy. */
export function capacityPlan(summary: DaySummary, totals: DayTotals, costs: MeasuredCosts, policy: SizingPolicy): CapacityPlan {
  const queues = totals.connections; // every connection receives on a queue of its own
  const chat = nodeService(summary.meanCores.chat, summary.peakCores.chat, policy);

  const agentCpu = nodeService(summary.meanCores.agent, summary.peakCores.agent, policy);
  const usableHeap = (policy.agentHeapLimitMb - costs.memory.agentHeapMb) * MB;
  const agentsByMemory = Math.ceil((queues * ESTIMATES.agentBytesPerOwnedQueue) / usableHeap);
  const agentReplicas = Math.max(agentCpu.replicas, agentsByMemory);
  const agent = { ...agentCpu, replicas: agentReplicas, agentsByMemory, ownedQueuesPerAgent: queues / agentReplicas };

  const relayCpu = nodeService(summary.meanCores.relay, summary.peakCores.relay, policy);
  const queuesPerRelay = queues / relayCpu.replicas;
  const queuesPerCallerPerRelay = queuesPerRelay / agentReplicas;
  const relay = {
    ...relayCpu,
    queuesPerRelay,
    queuesPerCallerPerRelay,
    callerBoundExceeded: queuesPerCallerPerRelay > policy.relayMaxQueuesPerCaller,
    inMemoryMbPerRelay: (queuesPerRelay * ESTIMATES.relayBytesPerSubscribedQueue) / MB,
  };

  const perMaster = policy.redisCommandsPerMaster * policy.redisTargetUtilisation;
  const queueMasters = atLeast(summary.peak.queueRedisCommands / perMaster, 1);
  const relayMemoryGb = (queues * ESTIMATES.relayRedisBytesPerQueue) / GB;
  const relayByOps = atLeast(summary.peak.relayRedisCommands / perMaster, 1);
  const relayByMemory = atLeast(relayMemoryGb / policy.redisMemoryGbPerMaster, 1);

  const rows = costs.rowBytes;
  const fill = ESTIMATES.indexAndFillFactor;
  const steadyBytes = queues * (rows.chatConnection + ESTIMATES.agentConnectionRowBytes) * fill;
  const growthBytes =
    (summary.commandsPerDay * (rows.chatCommand + ESTIMATES.agentCommandRowBytes) +
      summary.eventsPerDay * (rows.agentInbox + rows.chatReceivedMessage) +
      (totals.messagesPerDay + totals.deliveriesPerDay) * rows.chatGroupMessage) *
    fill;
  const primaries = atLeast(summary.peakCores.postgres / (policy.postgresCoresPerPrimary * policy.postgresTargetUtilisation), 1);

  return {
    chat,
    agent,
    relay,
    queueRedis: { meanCommandsPerSecond: summary.mean.queueRedisCommands, peakCommandsPerSecond: summary.peak.queueRedisCommands, masters: queueMasters, queueShards: shardsFor(4 * queueMasters) },
    relayRedis: { peakCommandsPerSecond: summary.peak.relayRedisCommands, memoryGb: relayMemoryGb, mastersByOps: relayByOps, mastersByMemory: relayByMemory, masters: Math.max(relayByOps, relayByMemory) },
    postgres: {
      meanCores: summary.meanCores.postgres,
      peakCores: summary.peakCores.postgres,
      primaries,
      peakTransactionsPerSecond: summary.peak.postgresTransactions,
      peakStatementsPerSecond: summary.peak.postgresStatements,
      peakWalMbPerSecond: summary.peak.walBytes / MB,
      steadyGb: steadyBytes / GB,
      growthGbPerDay: growthBytes / GB,
      partitions: policy.postgresPartitions,
      // A standby per primary for failover, which also takes the API's reads (GET members/messages/progress).
      readReplicas: primaries,
    },
    // The outbox after one day: nothing completed is deleted today.
    standing: standingScans(costs, { connections: queues, commands: summary.commandsPerDay }, { agents: agentReplicas, chats: chat.replicas, relays: relayCpu.replicas }),
  };
}
