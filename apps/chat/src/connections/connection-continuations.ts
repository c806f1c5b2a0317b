import type { AgentEvent, AgentEventOf } from '@gc/contracts';
import type { SqlParams } from '@gc/persistence';
import { ChatTx } from '../outbox/chat-tx';
import type { ResumeAlongClaim } from '../outbox/continuation-handler';
import { advanceStage, advanceStageAlong, lockConnection, recordInvitation, recordInvitationAlong } from './connection-store';
import { ConnectionStage } from './connection.entity';

/**
 * The continuation of a command that only moves its connection's handshake on (JOINED, ALLOWED).
 * It also says so as one statement (`alongClaim`), which the resumer runs with the claim: the
 * completion is then one UPDATE … UPDATE instead of claim, lock and update (3 round trips → 1).
 */
export function reachStage(stage: ConnectionStage): ResumeAlongClaim {
  const resume = async (tx: ChatTx, _data: unknown, event: { userId: string; connId: string }): Promise<void> => {
    const conn = await lockConnection(tx, event.userId, event.connId);
    if (conn) await advanceStage(tx, conn, stage);
  };
  return Object.assign(resume, { alongClaim: { key: `reach ${stage}`, item: (claimed: string, p: SqlParams) => advanceStageAlong(claimed, stage, p) } });
}

/** INV of a connection whose continuation only records where the handshake is (also as one statement with the claim). */
export const keepInvitation: ResumeAlongClaim<AgentEventOf<'INV'>> = Object.assign(
  async (tx: ChatTx, _data: unknown, event: AgentEventOf<'INV'>): Promise<void> => {
    const conn = await lockConnection(tx, event.userId, event.connId);
    if (conn) await recordInvitation(tx, conn, event.invitation);
  },
  { alongClaim: { key: 'keep invitation', item: (claimed: string, p: SqlParams, event: AgentEvent) => recordInvitationAlong(claimed, (event as AgentEventOf<'INV'>).invitation, p) } },
);
