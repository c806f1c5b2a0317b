import { AGENT_EVENTS_QUEUE, AgentEvent, parseAgentEvent } from '@gc/contracts';
import { EVENT_JOB_OPTIONS } from '@gc/queueing';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';

/**
 * Adds events to agent-events, job id = eventId: re-adding an event (a repeated command, a
 * redelivered relay message) is deduplicated by BullMQ while the job is kept, and by the chat after.
 */
@Injectable()
export class EventPublisher {
  constructor(@InjectQueue(AGENT_EVENTS_QUEUE) private readonly queue: Queue) {}

  async publish(events: readonly AgentEvent[]): Promise<void> {
    if (events.length === 0) return;
    const jobs = events.map((event) => {
      const data = parseAgentEvent(event);
      return { name: data.type, data, opts: { ...EVENT_JOB_OPTIONS, jobId: data.eventId } };
    });
    await this.queue.addBulk(jobs);
  }

  /** For /health: the queue's Redis answers (bounded: queue commands wait for Redis forever). */
  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.queue.count(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
