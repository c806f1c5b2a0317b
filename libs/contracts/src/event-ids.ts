/**
 * The eventId (= agent-events job id) of a command's result. Both ends derive it: the agent, so a
 * repeated command re-adds exactly this id (BullMQ drops the duplicate); the chat, so its reconciler
 * can tell a command whose result is only queued (not lost) from one to publish again.
 */
export const resultEventId = (corrId: string, suffix?: string | number): string =>
  suffix === undefined ? `r-${corrId}` : `r-${corrId}-${suffix}`;
