import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
import { outboundMsgId, resultEventId } from '../../protocol/derived-ids';
import { generateSigningKeyPair } from '../../protocol/signing-key';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';

/** Inviter accepts a confirmation: secure our queue with the joiner's key, send `info` carrying K2 (signed with it) → ALLOWED. */
@Injectable()
export class AllowHandler implements CommandHandler<'ALLOW'> {
  readonly type = 'ALLOW' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly relays: RelayClient,
  ) {}

  async execute(cmd: AgentCommandOf<'ALLOW'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const conn = await this.connections.locked(userId, connId, async (c, em) => {
      if (!c) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
      if (c.role !== 'inviter' || c.status === 'deleted') {
        throw new CommandRefusal('CONN_STATE', `connection ${connId} is a ${c.role} in state ${c.status}; ALLOW needs a confirmed invitation`);
      }
      if (!c.confirmationId || c.confirmationId !== cmd.confirmationId) {
        throw new CommandRefusal('UNKNOWN_CONFIRMATION', `connection ${connId} has no confirmation ${cmd.confirmationId}`);
      }
      if (c.allowedBy && c.allowedBy !== corrId) {
        throw new CommandRefusal('CONN_STATE', `confirmation ${cmd.confirmationId} was already allowed by ${c.allowedBy}`);
      }
      if (!c.allowedBy) {
        // K2 is made once: a resumed ALLOW sends the same key in the same info.
        const keys = generateSigningKeyPair();
        c.allowedBy = corrId;
        c.ownPublicKey = keys.publicKey;
        c.ownPrivateKey = keys.privateKey;
        await em.save(c);
      }
      return c;
    });
    if (conn.status === 'confirmed') {
      await ctx.step('secure');
      await this.relays.secureQueue(conn.rcvRelay!, conn.rcvRecipientId!, conn.peerSenderKey!);
      await ctx.step('send-info');
      const info = { t: 'info', senderKey: conn.ownPublicKey, connInfo: cmd.connInfo };
      // Signed with K2 although the reply queue is not secured yet: a retry after a lost answer may
      // find the joiner already secured it with K2 (the relay ignores signatures on open queues).
      await this.relays.send(conn.sndRelay!, conn.sndSenderId!, outboundMsgId('info', corrId), JSON.stringify(info), conn.ownPrivateKey!);
      await this.connections.locked(userId, connId, async (c, em) => {
        // The joiner's hello may have been processed already (→ connected): never step back.
        if (c && c.status === 'confirmed') {
          c.status = 'allowed';
          await em.save(c);
        }
      });
    }
    return [{ type: 'ALLOWED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
