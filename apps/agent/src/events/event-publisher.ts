import { AGENT_EVENTS_QUEUE, AgentEvent, parseAgentEvent } from '@gc/contracts';
import { EVENT_JOB_OPTIONS, InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Injectable } from '@nestjs/common';
import { Batcher } from '@gc/persistence';

type EventJob = { name: string; data: AgentEvent; opts: typeof EVENT_JOB_OPTIONS & { jobId: string } };

/**
 * Events of commands and messages handled side by side go to Redis as one addBulk (one MULTI, one
 * round trip) instead of one each. Order holds: a connection's events come from one command at a
 * time or one relay queue's chain at a time (InboundProcessor), each awaiting its publish.
 */
const PUBLISH_BATCHES = { maxBatches: 2, maxBatchSize: 256 };

/**
 * Adds events to agent-events, job id = eventId: re-adding an event (a repeated command, a
 * redelivered relay message) is deduplicated by BullMQ while the job is kept, and by the chat after.
 * Each event goes to the shard of its connection (QUEUE_SHARDS), so a connection's events keep their order.
 */
@Injectable()
export class EventPublisher {
  private readonly batches = new Batcher<EventJob[], void>(
    {
      together: async (lists) => {
        await this.queue.addBulk(lists.flat());
        return lists.map(() => undefined);
      },
      alone: (jobs) => this.queue.addBulk(jobs).then(() => undefined),
    },
    PUBLISH_BATCHES,
  );

  constructor(@InjectShardedQueue(AGENT_EVENTS_QUEUE) private readonly queue: ShardedQueue) {}

  async publish(events: readonly AgentEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Validated before batching: a bad event fails its own publish, never a batch.
    const jobs = events.map((event): EventJob => {
      const data = parseAgentEvent(event);
      return { name: data.type, data, opts: { ...EVENT_JOB_OPTIONS, jobId: data.eventId } };
    });
    await this.batches.run(jobs);
  }

  /** For /health: every shard's Redis answers (bounded: queue commands wait for Redis forever). */
  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.queue.shards.map((q) => q.count())), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
