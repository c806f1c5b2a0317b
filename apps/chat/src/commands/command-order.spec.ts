import { isUnordered } from './command-order';
import { resultEventId } from './result-event-id';
import { resultEventId as agentResultEventId } from '../../../agent/src/protocol/derived-ids';

describe('command order', () => {
  it('ACK is outside the per-connection order; SEND, CREATE, JOIN, ALLOW, DELETE are in it', () => {
    expect(isUnordered({ type: 'ACK' })).toBe(true);
    for (const type of ['SEND', 'CREATE', 'JOIN', 'ALLOW', 'DELETE'] as const) expect(isUnordered({ type })).toBe(false);
  });

  it("derives a command's result eventId exactly as the agent does", () => {
    const corrId = '2f1c9a4e-0b7d-4e0a-9a55-3c1d2e4f5a6b';
    expect(resultEventId(corrId)).toBe(agentResultEventId(corrId));
  });
});
