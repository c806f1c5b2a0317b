import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AGENT_EVENTS_QUEUE, resultEventId, splitByShard, type AgentCommand } from '@gc/contracts';
import { InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { CommandPublisher } from '../outbox/command-publisher';
import { claimRepublish, staleHeads } from '../outbox/command-store';
import { UnitOfWork } from '../outbox/unit-of-work';
import { giveUpAbandonedHandshakes } from './abandoned-handshakes';
import { QueueLossMarker, queueLossMarkerKey } from './queue-loss-marker';
import { LeaseRedis, RecoveryLease, recoveryLeaseKey } from './recovery-lease';
import { allWaitingConnections, claimDueStatusChecks } from './status-check-schedule';
import { ChatMetrics } from '../metrics/chat-metrics';

/** Connections per SUBSCRIBE, and the most re-subscribed in one tick. */
const SUBSCRIBE_BATCH = 1_000;

/**
 * The outbox's safety net. Re-publishes the head pending command of each connection (and each
 * pending ACK, which is outside the per-connection order) whose job is missing, failed or completed
 * with no result event waiting, and stale (crash between commit and publish; Redis emptied; an
 * event lost). Also asks the agent for the STATUS of connections waiting on their peer, so a lost
 * CONF/INFO/CON is recovered (recovery by subscription: a STATUS shows what happened): all of them at start and as soon as the queue Redis
 * is seen to have lost its data (QueueLossMarker), and otherwise each on a backed-off schedule
 * (status-check-schedule.ts) for a loss the marker cannot see.
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(OutboxReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** One per shard: on a Cluster, each shard's master can lose its data alone. */
  private readonly queueLoss: QueueLossMarker[];
  /** Only one chat replica recovers at a time (see RecoveryLease). */
  private readonly lease: RecoveryLease;
  private leader = false;
  /** Set at start and on a queue loss; cleared only once the full subscribe went through, so a failed tick retries it. */
  private subscribeAllDue = true;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: CommandPublisher,
    @InjectShardedQueue(AGENT_EVENTS_QUEUE) private readonly events: ShardedQueue,
    private readonly metrics: ChatMetrics,
    private readonly work: UnitOfWork,
  ) {
    // Each marker under its shard's prefix (its hash tag), so it lives and dies with that shard's queues.
    this.queueLoss = this.events.shards.map(
      (shard) =>
        new QueueLossMarker(
          // BullMQ's client interface types only SET's PX/EX; its ioredis client passes NX/GET through.
          async (key, value) => ((await shard.getBackend().client) as unknown as Pick<Redis, 'set'>).set(key, value, 'NX', 'GET'),
          queueLossMarkerKey(prefixOf(shard)),
        ),
    );
    // Three ticks: a live holder renews it at every one; a dead one is replaced within ~3 intervals.
    // On shard 0: one lease for the whole deployment, whatever the number of shards.
    const leaseShard = this.events.shards[0];
    this.lease = new RecoveryLease(
      async () => (await leaseShard.getBackend().client) as unknown as LeaseRedis,
      recoveryLeaseKey(prefixOf(leaseShard)),
      3 * config.RECONCILE_INTERVAL_MS,
    );
  }

  onApplicationBootstrap(): void {
    this.running = this.tick();
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick();
    }, this.config.RECONCILE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (this.leader) await this.lease.release().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    try {
      const wasLeader = this.leader;
      this.leader = await this.lease.hold();
      if (!this.leader) return;
      if (!wasLeader) {
        // Whatever happened while another chat (or nobody) recovered: start with everything.
        this.subscribeAllDue = true;
        this.log.log('this chat now does the outbox recovery (lease taken)');
      }
      // First, so that a loss during the recovery below is seen by the next tick.
      // Every marker is asked at every tick (none may skip learning its value): then any loss counts.
      const losses = await Promise.all(this.queueLoss.map((marker) => marker.lost()));
      if (losses.some(Boolean)) {
        this.subscribeAllDue = true;
        this.metrics.queueLosses.inc();
        this.log.warn('the queue Redis lost its data (marker gone): re-publishing stale commands and re-subscribing every waiting connection now');
      }
      await this.republishStaleHeads();
      await this.giveUpAbandonedHandshakes();
      if (this.subscribeAllDue) {
        await this.subscribeUnfinished();
        this.subscribeAllDue = false;
      } else await this.resubscribeWaiting();
    } catch (err) {
      this.log.warn(`reconcile failed: ${(err as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  async republishStaleHeads(): Promise<number> {
    // Only stale heads leave Postgres: a fresh one needs no look at its job (two Redis calls each).
    let republished = 0;
    for (const head of await staleHeads(this.db, this.config.RECONCILE_STALE_MS)) {
      const job = await this.publisher.commandsQueue.forMessage(head.command).getJob(head.corrId);
      const state = job ? await job.getState() : 'missing';
      if (!['missing', 'completed', 'failed', 'unknown'].includes(state)) continue;
      if (state === 'completed' && (await this.resultAwaitsChat(head.command))) continue;
      // Last, after the job and its result: the head may have been finished since the list was read.
      if (!(await claimRepublish(this.db, head.id))) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.publisher.publish(head.command);
      this.log.log({ corrId: head.corrId, jobState: state }, 'stale command re-published');
      republished++;
    }
    if (republished) this.log.log(`re-published ${republished} stale command(s)`);
    return republished;
  }

  /** Handshakes whose peer never answered (HANDSHAKE_TIMEOUT_MS): failed with the reason, at most a batch a tick. */
  async giveUpAbandonedHandshakes(): Promise<number> {
    const given = await this.work.run((tx) => giveUpAbandonedHandshakes(tx, this.config.HANDSHAKE_TIMEOUT_MS, SUBSCRIBE_BATCH));
    if (given) this.log.warn(`${given} handshake(s) given up: no answer from the peer for ${this.config.HANDSHAKE_TIMEOUT_MS} ms`);
    return given;
  }

  /**
   * A completed job whose result event still waits in agent-events is not lost: the chat is only
   * behind, and re-publishing it would make the agent answer again and feed the backlog.
   */
  private async resultAwaitsChat(command: AgentCommand): Promise<boolean> {
    // The agent publishes a result to the shard of the command's connection.
    const event = await this.events.forMessage(command).getJob(resultEventId(command.corrId));
    return event !== undefined && ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(await event.getState());
  }

  /** At start and after a queue loss: every waiting connection, whatever its schedule. */
  async subscribeUnfinished(): Promise<number> {
    const rows = await allWaitingConnections(this.db, this.config.HANDSHAKE_TIMEOUT_MS);
    for (const row of rows) await this.subscribe(row.user_id, row.conn_ids);
    const count = rows.reduce((n, row) => n + row.conn_ids.length, 0);
    if (count) this.log.log(`subscribed ${count} waiting connection(s)`);
    return count;
  }

  /**
   * Between: only the waiting connections whose backed-off check is due, at most SUBSCRIBE_BATCH a
   * tick, so a lost event is still recovered without a SUBSCRIBE of every connection every interval.
   */
  async resubscribeWaiting(): Promise<number> {
    const due = await claimDueStatusChecks(this.db, this.config.RECONCILE_STALE_MS, SUBSCRIBE_BATCH, this.config.HANDSHAKE_TIMEOUT_MS);
    const byUser = new Map<string, string[]>();
    for (const row of due) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.id]);
    for (const [userId, connIds] of byUser) await this.subscribe(userId, connIds);
    if (due.length) this.log.log(`re-subscribed ${due.length} waiting connection(s)`);
    return due.length;
  }

  /** A SUBSCRIBE per shard and batch: each goes to the shard its connections' commands are on. */
  private async subscribe(userId: string, connIds: string[]): Promise<void> {
    for (const group of splitByShard(connIds, this.publisher.commandsQueue.shards.length).values()) {
      for (let i = 0; i < group.length; i += SUBSCRIBE_BATCH) {
        await this.publisher.publish({ type: 'SUBSCRIBE', corrId: randomUUID(), userId, connIds: group.slice(i, i + SUBSCRIBE_BATCH) });
      }
    }
  }
}

/** A shard's BullMQ prefix (shardPrefix of QUEUE_PREFIX; QUEUE_PREFIX itself with one shard). */
function prefixOf(queue: Queue): string {
  return queue.opts.prefix!;
}
