import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext } from '../command-handler';

export interface ReceiveQueue {
  relay: string;
  recipientId: string;
  senderId: string;
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

  async ensure(cmd: { userId: string; connId: string; corrId: string }, ctx: CommandContext): Promise<ReceiveQueue> {
    const existing = await this.connections.find(cmd.userId, cmd.connId);
    if (existing?.rcvRelay && existing.rcvRecipientId && existing.rcvSenderId) {
      return { relay: existing.rcvRelay, recipientId: existing.rcvRecipientId, senderId: existing.rcvSenderId };
    }
    const relay = this.relays.pickRelay(cmd.connId, ctx.attempts);
    await ctx.step('create-queue');
    const created = await this.relays.createQueue(relay, cmd.corrId);
    return this.connections.locked(cmd.userId, cmd.connId, async (conn, em) => {
      if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${cmd.connId} vanished`);
      // Another run of this command (a stalled job taken over) may have stored its queue first.
      if (conn.rcvRelay && conn.rcvRecipientId && conn.rcvSenderId) {
        return { relay: conn.rcvRelay, recipientId: conn.rcvRecipientId, senderId: conn.rcvSenderId };
      }
      conn.rcvRelay = relay;
      conn.rcvRecipientId = created.recipientId;
      conn.rcvSenderId = created.senderId;
      await em.save(conn);
      return { relay, recipientId: created.recipientId, senderId: created.senderId };
    });
  }
}
