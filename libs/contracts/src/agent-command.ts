import { z } from 'zod';
import { ConnId, ConnInfo, CorrelationId, Invitation, MessageBody, UserId } from './identifiers';

const base = { corrId: CorrelationId, userId: UserId };

/** contract (the agent's retry contract, docs/architecture.md "Agent"): the commands the chat asks the agent to execute, as job data on agent-commands. */
export const CreateCommand = z.object({ type: z.literal('CREATE'), ...base, connId: ConnId }).strict();
export const JoinCommand = z
  .object({ type: z.literal('JOIN'), ...base, connId: ConnId, invitation: Invitation, connInfo: ConnInfo })
  .strict();
export const AllowCommand = z
  .object({ type: z.literal('ALLOW'), ...base, connId: ConnId, confirmationId: z.string().min(1).max(128), connInfo: ConnInfo })
  .strict();
export const SendCommand = z
  .object({ type: z.literal('SEND'), ...base, connId: ConnId, msgId: z.string().min(1).max(128), body: MessageBody })
  .strict();
export const AckCommand = z
  .object({ type: z.literal('ACK'), ...base, connId: ConnId, agentMsgId: z.string().min(1).max(128) })
  .strict();
export const DeleteCommand = z.object({ type: z.literal('DELETE'), ...base, connId: ConnId }).strict();
export const SubscribeCommand = z
  .object({ type: z.literal('SUBSCRIBE'), ...base, connIds: z.array(ConnId).min(1).max(10_000) })
  .strict();

export const AgentCommand = z.discriminatedUnion('type', [
  CreateCommand,
  JoinCommand,
  AllowCommand,
  SendCommand,
  AckCommand,
  DeleteCommand,
  SubscribeCommand,
]);
export type AgentCommand = z.infer<typeof AgentCommand>;
export type AgentCommandType = AgentCommand['type'];
export type AgentCommandOf<T extends AgentCommandType> = Extract<AgentCommand, { type: T }>;
export const AGENT_COMMAND_TYPES = AgentCommand.options.map((o) => o.shape.type.value) as AgentCommandType[];
