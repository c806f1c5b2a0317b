import { Injectable } from '@nestjs/common';
import { RelaySessions } from '../../inbound/relay-sessions';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { ConnectionStore } from '../../persistence/connection-store';
import { signingKeyPairOf } from '../../protocol/signing-key';
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
 * Our receive queue of a new connection (CREATE and JOIN), stored and subscribed. The relay is
 * picked by hash(connId) + attempts, and the create is keyed by corrId, so a retry on the same
 * relay gets the same queue (the relay scopes the key to the connection's recipient key, so nobody
 * else's create with our corrId gets it) and a retry after failures may move to another relay. The create names
 * our live session, so the relay usually subscribes the queue in the same request.
 */
@Injectable()
export class ReceiveQueueProvisioner {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly relays: RelayClient,
    private readonly sessions: RelaySessions,
  ) {}

  /**
   * `conn` is the connection row the command just read or inserted; `invitationOf` (inviters) names
   * the queue in an invitation stored with it.
   */
  async ensure(
    cmd: { userId: string; connId: string; corrId: string },
    conn: ConnectionEntity,
    ctx: CommandContext,
    invitationOf?: (queue: ReceiveQueue) => string,
  ): Promise<ProvisionedQueue> {
    const stored = storedQueue(conn);
    if (stored) {
      ctx.step('subscribe');
      await this.sessions.subscribeNew(stored.relay, stored.recipientId);
      return { queue: stored, conn, createdNow: false };
    }
    const relay = this.relays.pickRelay(cmd.connId, ctx.attempts);
    ctx.step('create-queue');
    const sessionId = this.sessions.sessionIdOf(relay);
    if (!conn.recipientPrivateKey) throw new CommandRefusal('CONN_STATE', `connection ${cmd.connId} has no recipient key`);
    const created = await this.relays.createQueue(relay, signingKeyPairOf(conn.recipientPrivateKey), cmd.corrId, sessionId ?? undefined);
    const createdQueue = { relay, recipientId: created.recipientId, senderId: created.senderId };
    const now = await this.connections.storeReceiveQueue(cmd.userId, cmd.connId, createdQueue, invitationOf?.(createdQueue) ?? null);
    if (!now) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${cmd.connId} vanished`);
    // Another run of this command (a stalled job taken over) may have stored its queue first.
    const queue = storedQueue(now)!;
    const ours = queue.relay === relay && queue.recipientId === createdQueue.recipientId;
    ctx.step('subscribe');
    // Subscribed at create covers only our queue, and only while that session is still the live one.
    await this.sessions.subscribeNew(queue.relay, queue.recipientId, ours && created.subscribed ? sessionId : null);
    return { queue, conn: now, createdNow: true };
  }
}

function storedQueue(conn: ConnectionEntity): ReceiveQueue | null {
  return conn.rcvRelay && conn.rcvRecipientId && conn.rcvSenderId
    ? { relay: conn.rcvRelay, recipientId: conn.rcvRecipientId, senderId: conn.rcvSenderId }
    : null;
}
