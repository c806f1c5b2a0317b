import { Injectable } from '@nestjs/common';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { ConnectionStore } from '../../persistence/connection-store';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext } from '../command-handler';

export interface ReceiveQueue {
  relay: string;
  recipientId: string;
  senderId: string;
}

/** The receive queue and the connection row as they stood once the queue was stored. */
export interface ProvisionedQueue {
  queue: ReceiveQueue;
  conn: ConnectionEntity;
  /** False when the queue was stored before this run (a resumed command): `conn` is the row as the run began. */
  createdNow: boolean;
}

/**
 * Our receive queue of a new connection (CREATE and JOIN). The relay is picked by
 * hash(connId) + attempts, and the create is keyed by corrId, so a retry on the same relay gets the
 * same queue and a retry after failures may move to another relay.
 */
@Injectable()
export class ReceiveQueueProvisioner {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly relays: RelayClient,
  ) {}

  /** `conn` is the connection row the command just read or inserted. */
  async ensure(cmd: { userId: string; connId: string; corrId: string }, conn: ConnectionEntity, ctx: CommandContext): Promise<ProvisionedQueue> {
    const stored = storedQueue(conn);
    if (stored) return { queue: stored, conn, createdNow: false };
    const relay = this.relays.pickRelay(cmd.connId, ctx.attempts);
    ctx.step('create-queue');
    const created = await this.relays.createQueue(relay, cmd.corrId);
    const queue = { relay, recipientId: created.recipientId, senderId: created.senderId };
    const now = await this.connections.storeReceiveQueue(cmd.userId, cmd.connId, queue);
    if (!now) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${cmd.connId} vanished`);
    // Another run of this command (a stalled job taken over) may have stored its queue first.
    return { queue: storedQueue(now)!, conn: now, createdNow: true };
  }
}

function storedQueue(conn: ConnectionEntity): ReceiveQueue | null {
  return conn.rcvRelay && conn.rcvRecipientId && conn.rcvSenderId
    ? { relay: conn.rcvRelay, recipientId: conn.rcvRecipientId, senderId: conn.rcvSenderId }
    : null;
}
