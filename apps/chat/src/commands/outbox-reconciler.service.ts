import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AGENT_EVENTS_QUEUE, type AgentCommand } from '@gc/contracts';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ORDERED_SQL } from './command-order';
import { CommandPublisher } from './command-publisher';
import { resultEventId } from './result-event-id';

const SUBSCRIBE_BATCH = 1_000;

/**
 * The outbox's safety net. Re-publishes the head pending command of each connection (and each
 * pending ACK, which is outside the per-connection order) whose job is missing, failed or completed
 * with no result event waiting, and stale (crash between commit and publish; Redis emptied; an
 * event lost). Also asks the agent for the STATUS of connections of users with unfinished work,
 * so a lost CONF/INFO/CON/MSG is recovered (seed Proposal 1).
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(OutboxReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSubscribe = 0;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: CommandPublisher,
    @InjectQueue(AGENT_EVENTS_QUEUE) private readonly events: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.tick(true);
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick(false);
    }, this.config.RECONCILE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(atStart: boolean): Promise<void> {
    try {
      await this.republishStaleHeads();
      const now = Date.now();
      if (atStart || now - this.lastSubscribe >= this.config.RECONCILE_STALE_MS) {
        this.lastSubscribe = now;
        await this.subscribeUnfinished(atStart);
      }
    } catch (err) {
      this.log.warn(`reconcile failed: ${(err as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  async republishStaleHeads(): Promise<number> {
    const heads: { id: string; corr_id: string; command: AgentCommand }[] = await this.db.query(
      `(SELECT DISTINCT ON (conn_id) id, corr_id, command FROM commands WHERE status = 'pending' AND ${ORDERED_SQL} ORDER BY conn_id, id)
       UNION ALL (SELECT id, corr_id, command FROM commands WHERE status = 'pending' AND NOT (${ORDERED_SQL}))`,
    );
    const staleBefore = Date.now() - this.config.RECONCILE_STALE_MS;
    let republished = 0;
    for (const head of heads) {
      const queue = this.publisher.commandsQueue;
      const job = await queue.getJob(head.corr_id);
      const state = job ? await job.getState() : 'missing';
      if (!['missing', 'completed', 'failed', 'unknown'].includes(state)) continue;
      const [{ stale }] = await this.db.query(`SELECT updated_at < to_timestamp($2 / 1000.0) AS stale FROM commands WHERE id = $1`, [head.id, staleBefore]);
      if (!stale) continue;
      if (state === 'completed' && (await this.resultAwaitsChat(head.corr_id))) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.publisher.publish(head.command);
      await this.db.query(`UPDATE commands SET attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'pending'`, [head.id]);
      this.log.log({ corrId: head.corr_id, jobState: state }, 'stale command re-published');
      republished++;
    }
    if (republished) this.log.log(`re-published ${republished} stale command(s)`);
    return republished;
  }

  /**
   * A completed job whose result event still waits in agent-events is not lost: the chat is only
   * behind, and re-publishing it would make the agent answer again and feed the backlog.
   */
  private async resultAwaitsChat(corrId: string): Promise<boolean> {
    const event = await this.events.getJob(resultEventId(corrId));
    return event !== undefined && ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(await event.getState());
  }

  /**
   * At start: every connection not yet final. Later: connections of users with unfinished work
   * (a connection not final, a member not connected, an introduction not done) and no command in
   * flight on them, because a pending command has its own recovery above.
   */
  async subscribeUnfinished(atStart: boolean): Promise<void> {
    const rows: { user_id: string; conn_ids: string[] }[] = await this.db.query(
      atStart
        ? `SELECT user_id, array_agg(id) AS conn_ids FROM connections WHERE stage NOT IN ('connected', 'failed') GROUP BY user_id`
        : `WITH unfinished AS (
             SELECT user_id FROM connections WHERE updated_at < now() - $1 * interval '1 millisecond'
                AND (stage NOT IN ('connected', 'failed') OR (stage = 'connected' AND role = 'joiner' AND peer_info IS NULL))
             UNION SELECT user_id FROM members WHERE status NOT IN ('connected', 'failed') AND updated_at < now() - $1 * interval '1 millisecond'
             UNION SELECT user_id FROM introductions WHERE status <> 'connected' AND updated_at < now() - $1 * interval '1 millisecond')
           SELECT c.user_id, array_agg(c.id) AS conn_ids FROM connections c JOIN unfinished u ON u.user_id = c.user_id
            WHERE c.stage <> 'failed'
              AND NOT EXISTS (SELECT 1 FROM commands k WHERE k.conn_id = c.id AND k.status = 'pending')
            GROUP BY c.user_id`,
      atStart ? [] : [this.config.RECONCILE_STALE_MS],
    );
    for (const row of rows) {
      for (let i = 0; i < row.conn_ids.length; i += SUBSCRIBE_BATCH) {
        const connIds = row.conn_ids.slice(i, i + SUBSCRIBE_BATCH);
        await this.publisher.publish({ type: 'SUBSCRIBE', corrId: randomUUID(), userId: row.user_id, connIds });
      }
    }
  }
}
