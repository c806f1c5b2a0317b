import { EventId } from './identifiers';
import { resultEventId } from './event-ids';

describe('resultEventId', () => {
  // The chat's reconciler looks a command's result up by this id, and the agent adds it as the
  // agent-events job id: one definition, used at both ends, and a valid job id.
  it("derives a command's result eventId from its corrId, a suffix for each of several results", () => {
    const corrId = '2f1c9a4e-0b7d-4e0a-9a55-3c1d2e4f5a6b';
    expect(resultEventId(corrId)).toBe(`r-${corrId}`);
    expect(resultEventId(corrId, 3)).toBe(`r-${corrId}-3`);
    expect(EventId.parse(resultEventId(corrId, 'm12'))).toBe(`r-${corrId}-m12`);
  });
});
