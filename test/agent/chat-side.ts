import { AgentEvent, AgentEventOf } from '@gc/contracts';
import { randomUUID } from 'node:crypto';
import { AgentStack } from '../support/agent-stack';

export const newCorrId = (): string => randomUUID();
export const newConnId = (): string => randomUUID();

export function resultOf<T extends AgentEvent['type']>(
  stack: AgentStack,
  corrId: string,
  type: T,
  timeoutMs = 60_000,
): Promise<AgentEventOf<T>> {
  return stack.events.waitFor<AgentEventOf<T>>(
    (e) => 'corrId' in e && e.corrId === corrId && (e.type === type || e.type === 'ERR'),
    `${type} for ${corrId}`,
    timeoutMs,
  ).then((e) => {
    if (e.type !== type) throw new Error(`expected ${type} for ${corrId}, got ${JSON.stringify(e)}`);
    return e;
  });
}

export function eventOn<T extends AgentEvent['type']>(stack: AgentStack, userId: string, connId: string, type: T, timeoutMs = 60_000) {
  return stack.events.waitFor<AgentEventOf<T>>(
    (e) => e.type === type && e.userId === userId && 'connId' in e && e.connId === connId,
    `${type} on ${userId}/${connId}`,
    timeoutMs,
  );
}

export interface ConnectedPair {
  inviter: { userId: string; connId: string };
  joiner: { userId: string; connId: string };
}

/**
 * Plays the chat on both sides of one connection: CREATE → INV → JOIN → CONF → ALLOW → CON (both).
 * Every step waits for its event, as the chat's continuations do.
 */
export async function connectPair(
  stack: AgentStack,
  inviterUser: string,
  joinerUser: string,
  timeoutMs = 60_000,
  connIds: { inviter?: string; joiner?: string } = {},
): Promise<ConnectedPair> {
  const inviter = { userId: inviterUser, connId: connIds.inviter ?? newConnId() };
  const joiner = { userId: joinerUser, connId: connIds.joiner ?? newConnId() };
  const createId = newCorrId();
  await stack.send({ type: 'CREATE', corrId: createId, ...inviter });
  const inv = await resultOf(stack, createId, 'INV', timeoutMs);

  const joinId = newCorrId();
  const joinerInfo = JSON.stringify({ x: 'x.grp.acpt', from: joinerUser });
  await stack.send({ type: 'JOIN', corrId: joinId, ...joiner, invitation: inv.invitation, connInfo: joinerInfo });
  await resultOf(stack, joinId, 'JOINED', timeoutMs);

  const conf = await eventOn(stack, inviter.userId, inviter.connId, 'CONF', timeoutMs);
  if (conf.connInfo !== joinerInfo) throw new Error(`CONF carried ${conf.connInfo}`);
  const allowId = newCorrId();
  const inviterInfo = JSON.stringify({ x: 'x.ok', from: inviterUser });
  await stack.send({ type: 'ALLOW', corrId: allowId, ...inviter, confirmationId: conf.confirmationId, connInfo: inviterInfo });
  await resultOf(stack, allowId, 'ALLOWED', timeoutMs);

  const info = await eventOn(stack, joiner.userId, joiner.connId, 'INFO', timeoutMs);
  if (info.connInfo !== inviterInfo) throw new Error(`INFO carried ${info.connInfo}`);
  await eventOn(stack, joiner.userId, joiner.connId, 'CON', timeoutMs);
  await eventOn(stack, inviter.userId, inviter.connId, 'CON', timeoutMs);
  return { inviter, joiner };
}

/** SEND from one side; resolves with the MSG the other side got. */
export async function sendAndReceive(
  stack: AgentStack,
  from: { userId: string; connId: string },
  to: { userId: string; connId: string },
  body: string,
  timeoutMs = 60_000,
): Promise<AgentEventOf<'MSG'>> {
  const corrId = newCorrId();
  await stack.send({ type: 'SEND', corrId, ...from, msgId: newCorrId(), body });
  await resultOf(stack, corrId, 'SENT', timeoutMs);
  return stack.events.waitFor<AgentEventOf<'MSG'>>(
    (e) => e.type === 'MSG' && e.userId === to.userId && e.connId === to.connId && e.body === body,
    `MSG "${body}" at ${to.userId}`,
    timeoutMs,
  );
}
