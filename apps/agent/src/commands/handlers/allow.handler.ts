import { AgentCommandOf, AgentEvent, checkRelayOrigin } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { ConnectionStore } from '../../persistence/connection-store';
import { outboundMsgId, resultEventId } from '../../protocol/derived-ids';
import { PeerChannel } from '../../protocol/peer-channel';
import { generateSigningKeyPair } from '../../protocol/signing-key';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';

/**
 * Inviter accepts a confirmation: the joiner's reply relay checked as an invitation's would be
 * (before any IO), secure our queue with the joiner's key, send `info` carrying K2 (sealed, signed
 * with K2) → ALLOWED.
 */
@Injectable()
export class AllowHandler implements CommandHandler<'ALLOW'> {
  readonly type = 'ALLOW' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly relays: RelayClient,
    private readonly channel: PeerChannel,
  ) {}

  async execute(cmd: AgentCommandOf<'ALLOW'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const conn = await this.claim(cmd);
    if (conn.status === 'confirmed') {
      const reply = checkRelayOrigin(conn.sndRelay, this.relays.relays);
      if (!reply.ok) throw new CommandRefusal('INVALID_INVITATION', `the joiner's reply relay is refused: ${reply.reason}`);
      ctx.step('secure');
      await this.relays.secureQueue(conn.rcvRelay!, conn.rcvRecipientId!, conn.peerSenderKey!);
      ctx.step('send-info');
      await this.channel.send(conn, outboundMsgId('info', corrId), { t: 'info', senderKey: conn.ownPublicKey!, connInfo: cmd.connInfo });
      // The joiner's hello may have been processed already (→ connected): never step back.
      await this.connections.advance(userId, connId, 'confirmed', 'allowed');
    }
    return [{ type: 'ALLOWED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }

  /**
   * The confirmation claimed for this ALLOW with K2, made once: a resumed ALLOW finds its own claim
   * and sends the same key in the same info. The claim is one conditional UPDATE; only when it does
   * not apply is the row read, to tell a resume from a refusal.
   */
  private async claim(cmd: AgentCommandOf<'ALLOW'>): Promise<ConnectionEntity> {
    const { userId, connId, corrId, confirmationId } = cmd;
    const keys = generateSigningKeyPair();
    const claimed = await this.connections.claimConfirmation(userId, connId, {
      confirmationId,
      allowedBy: corrId,
      ownPublicKey: keys.publicKey,
      ownPrivateKey: keys.privateKey,
    });
    if (claimed) return claimed;
    const c = await this.connections.find(userId, connId);
    if (!c) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
    if (c.role !== 'inviter' || c.status === 'deleted') {
      throw new CommandRefusal('CONN_STATE', `connection ${connId} is a ${c.role} in state ${c.status}; ALLOW needs a confirmed invitation`);
    }
    if (!c.confirmationId || c.confirmationId !== confirmationId) {
      throw new CommandRefusal('UNKNOWN_CONFIRMATION', `connection ${connId} has no confirmation ${confirmationId}`);
    }
    if (c.allowedBy && c.allowedBy !== corrId) {
      throw new CommandRefusal('CONN_STATE', `confirmation ${confirmationId} was already allowed by ${c.allowedBy}`);
    }
    // Not claimed by anyone, yet the claim did not apply: the row changed in between; a retry settles it.
    if (!c.allowedBy) throw new Error(`connection ${connId} changed while ALLOW claimed its confirmation`);
    return c;
  }
}
