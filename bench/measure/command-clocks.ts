import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE, resultEventId } from '@gc/contracts';
import { ShardedQueue } from '@gc/queueing';
import { Client } from 'pg';
import { BenchSystem } from '../system/bench-system';

/** When the chat finished a contact's command and when the agent journaled / finished it (epoch ms; same machine, same clock). */
export interface CommandClocks {
  corrId: string;
  chatDoneMs: number;
  agentSawMs: number;
  agentDoneMs: number;
}

/** The clocks of the command behind a contact (its CREATE), from chat.commands and agent.commands; null before the agent saw it. */
export async function commandClocks(pg: Client, contactId: string): Promise<CommandClocks | null> {
  const { rows } = await pg.query(
    `SELECT c.corr_id, extract(epoch FROM c.updated_at) * 1000 AS done, extract(epoch FROM a.created_at) * 1000 AS saw, extract(epoch FROM a.updated_at) * 1000 AS agent_done
       FROM contacts k JOIN commands c ON c.conn_id = k.conn_id JOIN agent.commands a ON a.corr_id = c.corr_id WHERE k.id = $1`,
    [contactId],
  );
  const row = rows[0];
  return row ? { corrId: row.corr_id, chatDoneMs: Number(row.done), agentSawMs: Number(row.saw), agentDoneMs: Number(row.agent_done) } : null;
}

/** A BullMQ job's own clock: added, taken by a worker, finished (epoch ms; undefined where not reached). */
export interface JobClocks {
  addedMs?: number;
  takenMs?: number;
  finishedMs?: number;
  attempts?: number;
}

/** The system's two contract queues, to read jobs' clocks by id (BullMQ's getJob on every shard). */
export class SystemJobs {
  private readonly commands: ShardedQueue;
  private readonly events: ShardedQueue;

  constructor(system: Pick<BenchSystem, 'redisUrl' | 'prefix'>) {
    const config = { redisUrl: system.redisUrl, prefix: system.prefix, shards: 1 };
    this.commands = ShardedQueue.open(AGENT_COMMANDS_QUEUE, config);
    this.events = ShardedQueue.open(AGENT_EVENTS_QUEUE, config);
  }

  command(corrId: string): Promise<JobClocks> {
    return clocksOf(this.commands, corrId);
  }

  /** The result event of a command (named by resultEventId, as the agent names it). */
  result(corrId: string): Promise<JobClocks> {
    return clocksOf(this.events, resultEventId(corrId));
  }

  async close(): Promise<void> {
    await Promise.all([this.commands.close(), this.events.close()]);
  }
}

async function clocksOf(queue: ShardedQueue, jobId: string): Promise<JobClocks> {
  const job = await queue.findJob(jobId);
  return { addedMs: job?.timestamp, takenMs: job?.processedOn, finishedMs: job?.finishedOn, attempts: job?.attemptsMade };
}
