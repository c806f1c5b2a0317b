import { z } from 'zod';

const id = z.uuid();
const displayName = z.string().min(1).max(100);
const invitation = z.string().min(1).max(4_096);

/** The group protocol: the chat's own messages, carried as SEND/MSG bodies or as JOIN/ALLOW connInfo. */
export const XContact = z.object({ type: z.literal('x.contact'), displayName });
export const XGrpInv = z.object({
  type: z.literal('x.grp.inv'),
  groupProfile: z.object({ groupId: id, name: z.string().min(1).max(100) }),
  invitation,
  fromMemberId: id,
  fromDisplayName: displayName,
  invitedMemberId: id,
  invitedDisplayName: displayName,
});
/**
 * `batches`: the joiner's chat reads a MSG body that is an array of protocol messages (below), so the
 * host may send it several in one SEND. A chat that does not say so gets one message per SEND: an
 * older peer never receives a body it cannot read.
 */
export const XGrpAcpt = z.object({ type: z.literal('x.grp.acpt'), memberId: id, displayName: displayName.optional(), batches: z.literal(true).optional() });
/** `batches`: as in x.grp.acpt — the host, ALLOWing a member, says it reads batched bodies. */
export const XOk = z.object({ type: z.literal('x.ok'), batches: z.literal(true).optional() });
export const XGrpMemNew = z.object({ type: z.literal('x.grp.mem.new'), memberId: id, displayName });
export const XGrpMemIntro = z.object({ type: z.literal('x.grp.mem.intro'), memberId: id, displayName });
export const XGrpMemInv = z.object({ type: z.literal('x.grp.mem.inv'), memberId: id, groupInvitation: invitation, directInvitation: invitation });
export const XGrpMemFwd = z.object({
  type: z.literal('x.grp.mem.fwd'),
  memberId: id,
  displayName,
  groupInvitation: invitation,
  directInvitation: invitation,
});
export const XGrpMemInfo = z.object({ type: z.literal('x.grp.mem.info'), memberId: id, displayName });
export const XGrpMemCon = z.object({ type: z.literal('x.grp.mem.con'), memberId: id });
/** Beyond the join protocol: an invitee whose JOIN was refused for good tells the host, over their contact. */
export const XGrpJoinErr = z.object({ type: z.literal('x.grp.join.err'), groupId: id, memberId: id, reason: z.string().min(1).max(2_000) });
/** The group protocol: the host removes a member (to every member and to the removed one). */
export const XGrpMemDel = z.object({ type: z.literal('x.grp.mem.del'), memberId: id });
/** The group protocol: a member leaves; from the leaver itself, or relayed by the host to members not connected to it yet. */
export const XGrpLeave = z.object({ type: z.literal('x.grp.leave'), memberId: id });
/** The group protocol: the host passes a member's message on to members whose connection with that member is not up yet. */
export const XGrpMsgFwd = z.object({ type: z.literal('x.grp.msg.fwd'), fromMemberId: id, msgId: id, text: z.string().min(1).max(16_384), sentAt: z.iso.datetime().optional() });
/** Beyond the join protocol: a member's group connection from an introduction failed for good; the host may re-introduce the pair. */
export const XGrpMemFail = z.object({ type: z.literal('x.grp.mem.fail'), memberId: id, reason: z.string().min(1).max(2_000) });
/**
 * Beyond the join protocol: the host re-introduces us to a member (after x.grp.mem.fail): forget the
 * connections with it; `as` is where its row starts over (x.grp.mem.intro or x.grp.mem.fwd follows).
 */
export const XGrpMemReset = z.object({ type: z.literal('x.grp.mem.reset'), memberId: id, as: z.enum(['introduced', 'announced']) });
/**
 * `sentAt`: the sender's time for the message, strictly increasing per sender (see sendGroupMessage):
 * every receiver lists messages by it, so one sender's messages keep their order wherever they arrive
 * out of order (events are handled concurrently; pending deliveries flush later).
 */
export const XMsgNew = z.object({ type: z.literal('x.msg.new'), msgId: id, text: z.string().min(1).max(16_384), sentAt: z.iso.datetime().optional() });

export const ProtocolMessage = z.discriminatedUnion('type', [
  XContact,
  XGrpInv,
  XGrpAcpt,
  XOk,
  XGrpMemNew,
  XGrpMemIntro,
  XGrpMemInv,
  XGrpMemFwd,
  XGrpMemInfo,
  XGrpMemCon,
  XGrpJoinErr,
  XGrpMemDel,
  XGrpLeave,
  XGrpMsgFwd,
  XGrpMemFail,
  XGrpMemReset,
  XMsgNew,
]);
export type ProtocolMessage = z.infer<typeof ProtocolMessage>;
export type ProtocolMessageOf<T extends ProtocolMessage['type']> = Extract<ProtocolMessage, { type: T }>;

/** A peer's malformed message is its problem, not ours: null, and the caller drops it. */
export function parseProtocolMessage(raw: string): ProtocolMessage | null {
  try {
    const parsed = ProtocolMessage.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function encodeProtocolMessage(message: ProtocolMessage): string {
  return JSON.stringify(ProtocolMessage.parse(message));
}

/**
 * Messages per batched body: a host introducing a newcomer to every connected member sends it one
 * x.grp.mem.intro per member — 49 for a 50-member group — and each SEND is a command, a relay message
 * and an ACK. 64 intros are ~10 KB, well inside a SEND body (64 KiB).
 */
export const MAX_BATCHED_MESSAGES = 64;

/** Several messages as one SEND body (an array); one message stays a plain object, as every peer reads it. */
export function encodeProtocolBatch(messages: ProtocolMessage[]): string {
  if (messages.length === 0 || messages.length > MAX_BATCHED_MESSAGES) throw new Error(`a batch holds 1 to ${MAX_BATCHED_MESSAGES} messages, not ${messages.length}`);
  return messages.length === 1 ? encodeProtocolMessage(messages[0]) : JSON.stringify(messages.map((m) => ProtocolMessage.parse(m)));
}

/**
 * A MSG body: one message, or an array of at most MAX_BATCHED_MESSAGES; a malformed item is dropped
 * alone (a peer's bad input is its problem), an oversized or malformed batch as a whole.
 */
export function parseProtocolMessages(raw: string): ProtocolMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) {
    const one = ProtocolMessage.safeParse(parsed);
    return one.success ? [one.data] : [];
  }
  if (parsed.length > MAX_BATCHED_MESSAGES) return [];
  return parsed.flatMap((item) => {
    const one = ProtocolMessage.safeParse(item);
    return one.success ? [one.data] : [];
  });
}

/** Whether a peer's connInfo (a member's x.grp.acpt, the host's x.ok) said it reads batched bodies. */
export function readsBatches(connInfo: string | null): boolean {
  const info = connInfo === null ? null : parseProtocolMessage(connInfo);
  return (info?.type === 'x.grp.acpt' || info?.type === 'x.ok') && info.batches === true;
}
