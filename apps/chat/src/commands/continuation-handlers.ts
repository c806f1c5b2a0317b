import type { AgentEvent, AgentEventOf, AgentEventType } from '@gc/contracts';
import { advanceStage, lockConnection, recordInvitation } from '../connections/connection-store';
import { onMemberInvitationCreated } from '../groups/host-flow';
import { onIntroInvitationCreated } from '../groups/member-flow';
import { ChatTx } from './chat-tx';
import { ContinuationFunction, ContinuationOf } from './continuation';

type CompletionType = 'INV' | 'JOINED' | 'ALLOWED' | 'SENT' | 'ACKED';

export interface ContinuationHandler<F extends ContinuationFunction, E extends CompletionType = CompletionType> {
  /** The success event this function waits for. */
  expects: E;
  resume(tx: ChatTx, data: ContinuationOf<F>, event: AgentEventOf<E>): Promise<void>;
}

/** INV of a connection whose continuation only records where the handshake is. */
async function invited(tx: ChatTx, _data: unknown, event: AgentEventOf<'INV'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (conn) await recordInvitation(tx, conn, event.invitation);
}
async function joined(tx: ChatTx, _data: unknown, event: AgentEventOf<'JOINED'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (conn) await advanceStage(tx, conn, 'joined');
}
async function allowed(tx: ChatTx, _data: unknown, event: AgentEventOf<'ALLOWED'>): Promise<void> {
  const conn = await lockConnection(tx, event.userId, event.connId);
  if (conn) await advanceStage(tx, conn, 'allowed');
}
async function nothingMore(): Promise<void> {}

/** The one dispatcher: each function's continuation, and the event it expects. */
export const CONTINUATION_HANDLERS: { [F in ContinuationFunction]: ContinuationHandler<F> } = {
  CREATE_CONTACT_INVITATION: { expects: 'INV', resume: invited },
  JOIN_CONTACT: { expects: 'JOINED', resume: joined },
  ALLOW_CONTACT: { expects: 'ALLOWED', resume: allowed },
  CREATE_GROUP_MEMBER_INVITATION: { expects: 'INV', resume: onMemberInvitationCreated },
  JOIN_GROUP: { expects: 'JOINED', resume: joined },
  ALLOW_MEMBER: { expects: 'ALLOWED', resume: allowed },
  CREATE_INTRO_INVITATIONS: { expects: 'INV', resume: onIntroInvitationCreated },
  JOIN_FORWARDED_INTRO: { expects: 'JOINED', resume: joined },
  ALLOW_INTRO: { expects: 'ALLOWED', resume: allowed },
  SEND_MESSAGE: { expects: 'SENT', resume: nothingMore },
  ACK_MESSAGE: { expects: 'ACKED', resume: nothingMore },
} as { [F in ContinuationFunction]: ContinuationHandler<F> };

/**
 * The function whose continuation is only the claim, by the event that completes it (SENT, ACKED):
 * such a completion is one UPDATE and needs no transaction around it (see claimOnlyCompletion).
 */
export const CLAIM_ONLY_FUNCTION: Partial<Record<AgentEventType, ContinuationFunction>> = Object.fromEntries(
  Object.entries(CONTINUATION_HANDLERS)
    .filter(([, h]) => h.resume === nothingMore)
    .map(([fn, h]) => [h.expects, fn as ContinuationFunction]),
);

export function expectedEvent(fn: ContinuationFunction): AgentEventType {
  return CONTINUATION_HANDLERS[fn].expects;
}

export function isCompletionOf(fn: ContinuationFunction, event: AgentEvent): boolean {
  return event.type === CONTINUATION_HANDLERS[fn].expects;
}
