import { AgentCommandOf, AgentEvent, INVITATION_VERSION, encodeInvitation } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
import { resultEventId } from '../../protocol/derived-ids';
import { dhPublicKeyOf, generateDhKeyPair } from '../../crypto/key-agreement';
import { generateSigningKeyPair } from '../../protocol/signing-key';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';
import { ReceiveQueue, ReceiveQueueProvisioner } from './receive-queue.provisioner';

/**
 * Inviter: create our receive queue (subscribed), answer INV with the invitation, which carries our
 * X25519 public key (the joiner agrees the end-to-end key with it). The queue's recipient key and
 * the X25519 key are made once, with the row: a resumed CREATE finds and reuses them.
 */
@Injectable()
export class CreateHandler implements CommandHandler<'CREATE'> {
  readonly type = 'CREATE' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly receiveQueue: ReceiveQueueProvisioner,
  ) {}

  async execute(cmd: AgentCommandOf<'CREATE'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const conn = await this.connections.insertOrFind({
      userId,
      connId,
      role: 'inviter',
      createdBy: corrId,
      recipientPrivateKey: generateSigningKeyPair().privateKey,
      dhPrivateKey: generateDhKeyPair().privateKey,
    });
    if (conn.createdBy !== corrId || conn.role !== 'inviter') {
      throw new CommandRefusal('CONN_STATE', `connection ${connId} already exists (made by ${conn.role} command ${conn.createdBy})`);
    }
    const dhKey = dhPublicKeyOf(conn.dhPrivateKey!);
    const invitationOf = (q: ReceiveQueue) => encodeInvitation({ v: INVITATION_VERSION, relay: q.relay, senderId: q.senderId, dhKey });
    const { queue, conn: stored } = await this.receiveQueue.ensure(cmd, conn, ctx, invitationOf);
    // Stored with the queue; a run that resumes a queue stored without one stores it now.
    const invitation = stored.invitation ?? (await this.connections.storeInvitation(userId, connId, invitationOf(queue)));
    if (invitation === null) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${connId} vanished`);
    return [{ type: 'INV', eventId: resultEventId(corrId), corrId, userId, connId, invitation }];
  }
}
