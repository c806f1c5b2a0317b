import { z } from 'zod';

const id = z.uuid();
/** Which of an introduction's two connections a command is for. */
export const IntroPart = z.enum(['group', 'direct']);
export type IntroPart = z.infer<typeof IntroPart>;

/**
 * Everything needed to resume after the agent answers, tagged by the function the command was
 * for. Stored as the command row's jsonb and validated again when it is resumed.
 */
export const Continuation = z.discriminatedUnion('function', [
  z.object({ function: z.literal('CREATE_CONTACT_INVITATION'), contactId: id }).strict(),
  z.object({ function: z.literal('JOIN_CONTACT'), contactId: id }).strict(),
  z.object({ function: z.literal('ALLOW_CONTACT'), contactId: id }).strict(),
  // SimpleX APIAddMember
  z.object({ function: z.literal('CREATE_GROUP_MEMBER_INVITATION'), groupId: id, memberId: id, contactId: id }).strict(),
  // SimpleX APIJoinGroup
  z.object({ function: z.literal('JOIN_GROUP'), groupId: id, hostMemberId: id }).strict(),
  // x.grp.acpt in CONF
  z.object({ function: z.literal('ALLOW_MEMBER'), groupId: id, memberId: id }).strict(),
  // x.grp.mem.intro
  z.object({ function: z.literal('CREATE_INTRO_INVITATIONS'), groupId: id, memberId: id, part: IntroPart }).strict(),
  // x.grp.mem.fwd
  z.object({ function: z.literal('JOIN_FORWARDED_INTRO'), groupId: id, memberId: id, part: IntroPart }).strict(),
  // x.grp.mem.info in CONF, on the group and the direct connection
  z.object({ function: z.literal('ALLOW_INTRO'), groupId: id, memberId: id, part: IntroPart }).strict(),
  // The group lifecycle (docs/architecture.md): a group or direct connection with a member that was removed or left.
  z.object({ function: z.literal('DELETE_MEMBER_CONNECTION'), groupId: id, memberId: id }).strict(),
  z.object({ function: z.literal('SEND_MESSAGE'), message: z.string().min(1).max(64) }).strict(),
  z.object({ function: z.literal('ACK_MESSAGE'), agentMsgId: z.string().min(1).max(128) }).strict(),
]);
export type Continuation = z.infer<typeof Continuation>;
export type ContinuationFunction = Continuation['function'];
export type ContinuationOf<F extends ContinuationFunction> = Extract<Continuation, { function: F }>;
export const CONTINUATION_FUNCTIONS = Continuation.options.map((o) => o.shape.function.value) as ContinuationFunction[];
