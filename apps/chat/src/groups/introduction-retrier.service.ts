import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { dueReintroductions, scheduleReintroductions } from '../members/introduction-store';
import { UnitOfWork } from '../outbox/unit-of-work';
import { reintroduce } from './reintroduction-flow';

/** Due re-introductions started per tick (the rest wait for the next one). */
const BATCH = 100;

/**
 * The host's re-introductions (reintroduction-flow.ts): every RECONCILE_INTERVAL_MS, schedules the
 * introductions that failed since (attempt n at base·2^n, capped at INTRO_RETRY_MAX_MS, at most
 * INTRO_RETRY_ATTEMPTS, then `failed`) and starts the due ones, each in its own transaction. The
 * schedule is in Postgres: a restart keeps it, and chats sharing the database share it (a due row
 * is started once: restartIntroduction claims it).
 */
@Injectable()
export class IntroductionRetrier implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(IntroductionRetrier.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.config.RECONCILE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async tick(): Promise<void> {
    try {
      await scheduleReintroductions(this.db, this.config.INTRO_RETRY_ATTEMPTS, this.config.INTRO_RETRY_BASE_MS, this.config.INTRO_RETRY_MAX_MS);
      for (const key of await dueReintroductions(this.db, BATCH)) await this.work.run((tx) => reintroduce(tx, key), { users: [key.userId] });
    } catch (err) {
      // The next tick tries again: the schedule is in Postgres.
      this.log.warn(`re-introductions: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
