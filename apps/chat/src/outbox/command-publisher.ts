import { AGENT_COMMANDS_QUEUE, parseAgentCommand, type AgentCommand } from '@gc/contracts';
import { Batcher } from '@gc/persistence';
import { CONTRACT_JOB_OPTIONS, InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ConnectionCommand } from './chat-tx';
import { jobPriorityOf } from './command-order';
import { pendingHeads } from './command-store';

// A failed add is tried again at once a few times: the reconciler is the last resort, seconds late.
const PUBLISH_TRIES = 3;
// Publishes an API call did not wait for; past this many in flight (Redis slow or away), the next
// call waits for one to end, so memory stays bounded and the API slows down instead of piling up.
const MAX_IN_BACKGROUND = 1_000;
// On shutdown, what is still in flight gets this long; the reconciler publishes the rest.
const DRAIN_MS = 5_000;
// Background publishes that arrive while others are in flight go together: one heads read and one
// addBulk for all of them (@gc/persistence Batcher; publishAfterCommit never throws, so a batch is
// never repeated).
const BACKGROUND_BATCHES = { maxBatches: 2, maxBatchSize: 256 };

/** What a committed transaction leaves to publish (see ChatTx). */
export interface Publishable {
  /** Connections whose head must be read back from the committed state. */
  touchedConnections: Iterable<string>;
  /** Heads known without reading: the first command on a connection the transaction opened. */
  knownHeads?: Iterable<ConnectionCommand>;
  /** Commands outside the per-connection order (ACKs). */
  unorderedCommands?: Iterable<ConnectionCommand>;
}

/**
 * Publishes outbox rows to agent-commands. At most one command per connection is in flight: only
 * the oldest pending command of a connection is published; the next one goes out when it completes.
 * ACKs are outside that order (see command-order.ts) and go out at once. Each command goes to the
 * shard of its connection (QUEUE_SHARDS); a SUBSCRIBE must name connections of one shard (splitByShard).
 */
@Injectable()
export class CommandPublisher implements OnModuleDestroy {
  private readonly log = new Logger(CommandPublisher.name);
  private readonly inBackground = new Set<Promise<void>>();
  private readonly backgroundBatches = new Batcher<Publishable, void>(
    {
      together: async (works) => {
        await this.publishAfterCommit(mergePublishables(works));
        return works.map(() => undefined);
      },
      alone: (work) => this.publishAfterCommit(work),
    },
    BACKGROUND_BATCHES,
  );

  constructor(
    @InjectShardedQueue(AGENT_COMMANDS_QUEUE) private readonly queue: ShardedQueue,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * Called after a commit. Heads are read again from the committed state, so of two transactions
   * touching one connection, the one committing last sees the other's rows and publishes the head.
   * One query for every touched connection and one addBulk for every job: each is a round trip.
   */
  async publishAfterCommit(work: Publishable): Promise<void> {
    const connIds = [...work.touchedConnections];
    const known = [...(work.knownHeads ?? []), ...(work.unorderedCommands ?? [])];
    if (connIds.length === 0 && known.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publishAll([...known, ...(await pendingHeads(this.db, connIds))]);
      } catch (err) {
        if (attempt < PUBLISH_TRIES) continue;
        // The reconciler publishes them later; the rows are safe in Postgres.
        const corrIds = known.map((c) => c.corrId);
        this.log.warn({ connIds, corrIds, error: (err as Error).message }, 'publishing commands failed; the reconciler will');
        return;
      }
    }
  }

  /** As publishAfterCommit, without waiting for it (unless MAX_IN_BACKGROUND are in flight already). */
  async publishInBackground(work: Publishable): Promise<void> {
    while (this.inBackground.size >= MAX_IN_BACKGROUND) await Promise.race(this.inBackground);
    const publishing: Promise<void> = this.backgroundBatches.run(work).finally(() => this.inBackground.delete(publishing));
    this.inBackground.add(publishing);
  }

  /** Before the queues close: what the API left in flight is given a few seconds to go out. */
  async onModuleDestroy(): Promise<void> {
    if (this.inBackground.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.all(this.inBackground).then(() => true);
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_MS)));
    if (!(await Promise.race([drained, late]))) this.log.warn(`${this.inBackground.size} publish(es) still in flight at shutdown; the reconciler publishes them`);
    clearTimeout(timer);
  }

  /** BullMQ ignores an add whose job id exists, so publishing twice is harmless. */
  async publish(command: AgentCommand): Promise<void> {
    const job = jobOf(command);
    await this.queue.forMessage(job.data).add(job.name, job.data, job.opts);
  }

  private async publishAll(commands: AgentCommand[]): Promise<void> {
    if (commands.length === 1) return this.publish(commands[0]); // one script call instead of a MULTI
    if (commands.length > 0) await this.queue.addBulk(commands.map(jobOf));
  }

  get commandsQueue(): ShardedQueue {
    return this.queue;
  }
}

/** What several committed transactions leave to publish, as one. */
function mergePublishables(works: Publishable[]): Publishable {
  return {
    touchedConnections: new Set(works.flatMap((w) => [...w.touchedConnections])),
    knownHeads: works.flatMap((w) => [...(w.knownHeads ?? [])]),
    unorderedCommands: works.flatMap((w) => [...(w.unorderedCommands ?? [])]),
  };
}

/** The agent-commands job of a command: validated against the contract, job id = corrId, CREATEs after the rest (jobPriorityOf). */
export function jobOf(command: AgentCommand): { name: string; data: AgentCommand; opts: JobsOptions } {
  const valid = parseAgentCommand(command);
  const priority = jobPriorityOf(valid);
  return { name: valid.type, data: valid, opts: { ...CONTRACT_JOB_OPTIONS, jobId: valid.corrId, ...(priority ? { priority } : {}) } };
}
