/**
 * The eventId the agent gives a command's result (apps/agent/src/protocol/derived-ids.ts
 * `resultEventId`): the agent-events job id, so the chat can tell a result that is only queued.
 */
export const resultEventId = (corrId: string): string => `r-${corrId}`;
