import { z } from 'zod';
import { AgentCommand } from './agent-command';
import { AgentEvent } from './agent-event';

/** A job whose data does not match the contract. The message names every offending field. */
export class ContractViolation extends Error {
  constructor(
    readonly what: string,
    readonly issues: string[],
  ) {
    super(`invalid ${what}: ${issues.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

function parseWith<S extends z.ZodTypeAny>(schema: S, what: string, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ContractViolation(what, issues);
}

export const parseAgentCommand = (data: unknown): AgentCommand => parseWith(AgentCommand, 'agent command', data);
export const parseAgentEvent = (data: unknown): AgentEvent => parseWith(AgentEvent, 'agent event', data);
