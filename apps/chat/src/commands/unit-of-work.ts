import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChatTx } from './chat-tx';
import { CommandPublisher } from './command-publisher';

// deadlock_detected, serialization_failure: the transaction did nothing; run it again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TRIES = 8;

/** Runs domain work in one transaction, then publishes the commands it recorded (the outbox). */
@Injectable()
export class UnitOfWork {
  private readonly log = new Logger(UnitOfWork.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: CommandPublisher,
  ) {}

  async run<T>(work: (tx: ChatTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let tx: ChatTx | undefined;
      try {
        const result = await this.db.transaction(async (em) => {
          tx = new ChatTx(em);
          return work(tx);
        });
        await this.publisher.publishAfterCommit(tx!.touchedConnections, tx!.unorderedCommands);
        return result;
      } catch (err) {
        const code = (err as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_TRIES) throw err;
        this.log.debug(`transaction retried after ${code} (attempt ${attempt})`);
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }
}
