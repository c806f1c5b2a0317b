import { AGENT_COMMANDS_QUEUE, type AgentCommand } from '@gc/contracts';
import { InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Injectable, Logger } from '@nestjs/common';

/** What a retried command's job shows as its progress (Bull Board's Progress tab, the chat's /progress). */
export interface RetryProgress {
  attempts: number;
  lastError: string;
  relay: string | null;
  step: string;
  at: string;
}

/**
 * Puts the last transient error of a command on its agent-commands job, so whoever looks at the
 * queue sees why it is waiting. Best effort: the retry itself never depends on it.
 */
@Injectable()
export class RetryProgressReporter {
  private readonly log = new Logger(RetryProgressReporter.name);

  constructor(@InjectShardedQueue(AGENT_COMMANDS_QUEUE) private readonly queue: ShardedQueue) {}

  async report(command: AgentCommand, progress: RetryProgress): Promise<void> {
    const corrId = command.corrId;
    try {
      const job = await this.queue.forMessage(command).getJob(corrId);
      await job?.updateProgress({ ...progress, lastError: progress.lastError.slice(0, 500) });
    } catch (err) {
      this.log.debug({ corrId, error: (err as Error).message }, 'retry progress not recorded');
    }
  }
}
