import { AGENT_EVENTS_QUEUE, AgentEvent, parseAgentEvent } from '@gc/contracts';
import { EVENT_JOB_OPTIONS, InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Injectable } from '@nestjs/common';

/**
 * Adds events to agent-events, job id = eventId: re-adding an event (a repeated command, a
 * redelivered relay message) is deduplicated by BullMQ while the job is kept, and by the chat after.
 * Each event goes to the shard of its connection (QUEUE_SHARDS), so a connection's events keep their order.
 */
@Injectable()
export class EventPublisher {
  constructor(@InjectShardedQueue(AGENT_EVENTS_QUEUE) private readonly queue: ShardedQueue) {}

  async publish(events: readonly AgentEvent[]): Promise<void> {
    if (events.length === 0) return;
    const jobs = events.map((event) => {
      const data = parseAgentEvent(event);
      return { name: data.type, data, opts: { ...EVENT_JOB_OPTIONS, jobId: data.eventId } };
    });
    await this.queue.addBulk(jobs);
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
