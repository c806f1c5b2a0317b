import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConnectionEntity } from './connection.entity';

/**
 * Every state step of a connection runs under its row lock (SELECT … FOR UPDATE), so commands and
 * received messages of one connection — in this process or another agent — apply one at a time.
 * Relay IO happens between such steps, never inside one.
 */
@Injectable()
export class ConnectionStore {
  constructor(private readonly dataSource: DataSource) {}

  locked<T>(userId: string, connId: string, step: (conn: ConnectionEntity | null, em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      const conn = await em.findOne(ConnectionEntity, { where: { userId, connId }, lock: { mode: 'pessimistic_write' } });
      return step(conn, em);
    });
  }

  lockedByReceiveQueue<T>(
    relay: string,
    recipientId: string,
    step: (conn: ConnectionEntity | null, em: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      const conn = await em.findOne(ConnectionEntity, {
        where: { rcvRelay: relay, rcvRecipientId: recipientId },
        lock: { mode: 'pessimistic_write' },
      });
      return step(conn, em);
    });
  }

  find(userId: string, connId: string): Promise<ConnectionEntity | null> {
    return this.dataSource.getRepository(ConnectionEntity).findOneBy({ userId, connId });
  }
}
