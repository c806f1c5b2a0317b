/**
 * What the model needs and the bench does not measure, each with where the figure comes from. A
 * figure here is counted from the protocol as docs/architecture.md describes it, or estimated; the
 * measured ones are in measured-costs.json. docs/scaling.md lists which of these a bench section
 * should replace.
 */
export const PROTOCOL = {
  /**
   * A convergence run counts only the pairs it reached; a run cut far from the end (the 50-member
   * runs: 126 of 1,275 pairs) divides the commands of every started pair by the few finished ones
   * (96 commands per pair), so only runs that reached this share of their pairs are costs.
   */
  minPairsReachedShare: 0.85,
  /**
   * Events not caused by a command (a relay message from the peer: CONF, INFO, CON, MSG), per chat
   * command of the group protocol. Counted for one introduced pair (join steps 3–7): 18 commands
   * (2 SEND to newcomer/member, 2 CREATE, SEND inv, SEND fwd, 2 JOIN, 2 ALLOW, 2 SEND con, 6 ACK)
   * and 14 such events (6 MSG, 2 CONF, 2 INFO, 4 CON).
   */
  eventsPerPairCommand: 14 / 18,
  /** One group message to one recipient: the sender's SEND and the recipient's ACK of the MSG. */
  commandsPerDelivery: 2,
  /** …and the recipient's MSG. */
  eventsPerDelivery: 1,
  /**
   * A departure, per member left in the group: the x.grp.mem.del / x.grp.leave SEND and its ACK,
   * that member's 2 DELETEs (group and direct connection) and the departed side's 2 DELETEs.
   */
  commandsPerDepartureMember: 6,
  /** …and that member's MSG of the departure. */
  eventsPerDepartureMember: 1,
  /** A contact made by invitation: CREATE, JOIN, ALLOW. */
  commandsPerContact: 3,
  /** …and CONF, INFO and a CON on each side. */
  eventsPerContact: 4,
  /**
   * The chat's transactions per command: the statement asking for it (run alone, as the invitation
   * POST is) and the event's resume; the agent's statements are each their own transaction.
   */
  chatTransactionsPerCommand: 2,
  /** An introduced pair holds a group and a direct connection on each side (host pairs: 1 + the contact's). */
  connectionsPerPair: 4,
} as const;

export const ESTIMATES = {
  /**
   * Not measured: heap tuples written per command (the chat's outbox row, written then updated,
   * ~605 B; a connection row update ~320 B; the agent's journal ~400 B written and updated; its
   * connection row ~1.1 kB, 2 updates) ≈ 5 kB, plus index entries and record headers, without the
   * full-page images after a checkpoint. The bench could read pg_current_wal_lsn() around its run.
   */
  walBytesPerCommand: 8_192,
  /** Not measured (its columns: ids, relays, 4 keys base64, invitation, peer info). */
  agentConnectionRowBytes: 1_100,
  agentCommandRowBytes: 400,
  /** Indexes and page fill on top of the row sizes (the tables have 1–3 indexes each). */
  indexAndFillFactor: 2,
  /** A relay queue in the relay's Redis: hash q:<rid> (4 fields), s:<sid>, idem:<key> for 7 days. */
  relayRedisBytesPerQueue: 350,
  /**
   * In-process memory per subscribed receive queue: the agent's session set of recipient ids and
   * the relay's owner map (a 22-character id string and a Set/Map entry in V8).
   */
  agentBytesPerOwnedQueue: 100,
  relayBytesPerSubscribedQueue: 150,
} as const;

/** How the plan turns demand into machines: stated policy, not measurement. */
export interface SizingPolicy {
  /** Busy share of a core a Node process (chat, agent, relay) is sized to at the peak minute. */
  targetUtilisation: number;
  /** Replicas of each Node service at least (one may be down or deploying). */
  minReplicas: number;
  /** Redis commands/s one master takes at 100% of its one core (Lua-internal commands included). */
  redisCommandsPerMaster: number;
  redisTargetUtilisation: number;
  /** Memory a Redis master may fill (maxmemory), for the relays' storage, which is sized by memory. */
  redisMemoryGbPerMaster: number;
  postgresCoresPerPrimary: number;
  postgresTargetUtilisation: number;
  /** Hash partitions of every user-keyed table: enough to spread over primaries later without re-partitioning. */
  postgresPartitions: number;
  /** The agent's old-space bound (apps/launcher/agent-node-flags.ts: 160 today). */
  agentHeapLimitMb: number;
  /** RELAY_MAX_QUEUES_PER_CALLER of the deployment's own relays (default 100,000); each agent is one caller address. */
  relayMaxQueuesPerCaller: number;
}

export const DEFAULT_POLICY: SizingPolicy = {
  targetUtilisation: 0.6,
  minReplicas: 2,
  // A Redis 7 core runs ~150–250k simple commands/s; BullMQ's are mostly inside Lua scripts, which
  // block the core while they run: 100k/s at 50% keeps headroom for a failover's catch-up.
  redisCommandsPerMaster: 100_000,
  redisTargetUtilisation: 0.5,
  redisMemoryGbPerMaster: 25,
  postgresCoresPerPrimary: 16,
  postgresTargetUtilisation: 0.6,
  postgresPartitions: 64,
  agentHeapLimitMb: 160,
  relayMaxQueuesPerCaller: 100_000,
};
