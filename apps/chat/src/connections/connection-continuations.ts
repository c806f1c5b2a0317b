import type { AgentEventOf } from '@gc/contracts';
import type { SqlParams } from '@gc/persistence';
import type { AlongClaim } from '../outbox/continuation-handler';
import { advanceStageAlong, recordInvitationAlong } from './connection-store';
import { ConnectionStage } from './connection.entity';

const reaching = new Map<ConnectionStage, AlongClaim>();

/**
 * The continuation of a command that only moves its connection's handshake on (JOINED, ALLOWED):
 * one UPDATE run inside the claim's statement, instead of claim, lock and update (3 round trips → 1).
 * One object per stage, so every function reaching it shares one WITH item.
 */
export function reachStage(stage: ConnectionStage): AlongClaim {
  let claim = reaching.get(stage);
  if (!claim) {
    claim = { item: (claimed: string, p: SqlParams) => advanceStageAlong(claimed, stage, p) };
    reaching.set(stage, claim);
  }
  return claim;
}

/** INV of a connection whose continuation only records where the handshake is, inside the claim's statement. */
export const keepInvitation: AlongClaim = {
  item: (claimed, p, event) => recordInvitationAlong(claimed, (event as AgentEventOf<'INV'>).invitation, p),
};
