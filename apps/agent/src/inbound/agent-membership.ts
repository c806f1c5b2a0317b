import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { BucketOwners } from './owner-buckets';

/** Each agent renews its lease this often; a lease not renewed for AGENT_LEASE_MS has lapsed. */
export const AGENT_HEARTBEAT_MS = 1_000;
export const AGENT_LEASE_MS = 5_000;

/**
 * This process's id: host and port, so an agent restarted in place (compose, `kill -9` and start
 * again) renews its predecessor's lease instead of waiting AGENT_LEASE_MS for it to lapse with the
 * queues it owned unsubscribed; replicas differ by host (containers) or port (one host).
 */
export function agentIdOf(port: number, host = hostname()): string {
  return `${host.slice(0, 50)}:${port}`;
}

/**
 * The live agents, as leases in `agent.agent_members` (Postgres, not Redis: a queue Redis flush
 * must not make every agent believe it is alone and grab every queue). Each process renews its own
 * row every second and reads the rows whose lease has not lapsed. A receive queue belongs to one of
 * them (the owner of its bucket, by rendezvous hashing over the live ids: inbound/owner-buckets.ts),
 * so an agent killed for good stops owning anything within AGENT_LEASE_MS and the survivors re-subscribe its queues; an agent stopping cleanly
 * deletes its row, so its queues move at once. The first live id (in order) is the leader, which
 * does the work that must run once across agents (inbox redelivery).
 */
@Injectable()
export class AgentMembership implements OnApplicationBootstrap, OnModuleDestroy {
  readonly agentId: string;
  private readonly log = new Logger(AgentMembership.name);
  private live: string[];
  private readonly listeners: Array<(live: readonly string[]) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private first: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AGENT_CONFIG) config: AgentConfig,
  ) {
    this.agentId = agentIdOf(config.PORT);
    this.live = [this.agentId];
    this.buckets = new BucketOwners(this.live);
  }

  /** Bucket owners of the current live set: computed once per change, not per queue. */
  private buckets: BucketOwners;

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, AGENT_HEARTBEAT_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.dataSource.query(`DELETE FROM "agent"."agent_members" WHERE agent_id = $1`, [this.agentId]).catch(() => undefined);
  }

  /** Resolves once the live set was read once (or that failed): streams open only then. */
  ready(): Promise<void> {
    return (this.first ??= this.beat());
  }

  liveAgents(): readonly string[] {
    return this.live;
  }

  owns(recipientId: string): boolean {
    return this.buckets.ownerOfQueue(recipientId) === this.agentId;
  }

  /** The owner buckets this agent owns, as runs of consecutive buckets (a full pass reads these). */
  ownedBucketRuns(): Array<[number, number]> {
    return this.buckets.runsOf(this.agentId);
  }

  isLeader(): boolean {
    return this.live[0] === this.agentId;
  }

  /** Called with the new live set whenever it changes. */
  onChange(listener: (live: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Renews this agent's lease and reads the live set (exported for specs). */
  async beat(): Promise<void> {
    try {
      const rows: Array<{ agent_id: string }> = await this.dataSource.query(
        `WITH renewed AS (
           INSERT INTO "agent"."agent_members" (agent_id, expires_at) VALUES ($1::varchar, now() + make_interval(secs => $2))
           ON CONFLICT (agent_id) DO UPDATE SET expires_at = excluded.expires_at
         ), swept AS (
           DELETE FROM "agent"."agent_members" WHERE expires_at < now() - interval '1 hour'
         )
         SELECT agent_id FROM "agent"."agent_members" WHERE expires_at > now() AND agent_id <> $1
         UNION SELECT $1::varchar ORDER BY 1`,
        [this.agentId, AGENT_LEASE_MS / 1000],
      );
      const live = rows.map((r) => r.agent_id);
      if (live.join(',') === this.live.join(',')) return;
      this.log.log({ agentId: this.agentId, live }, 'live agents changed');
      this.live = live;
      this.buckets = new BucketOwners(live);
      for (const listener of this.listeners) listener(live);
    } catch (err) {
      // Postgres away: keep the last view. Our lease may lapse meanwhile; then the others take our
      // queues over at the relay, and we take ours back once we can renew (they see us again).
      this.log.warn(`agent lease not renewed: ${(err as Error).message}`);
    }
  }
}
