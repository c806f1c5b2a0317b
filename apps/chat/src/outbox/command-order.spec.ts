import { isUnordered } from './command-order';

describe('command order', () => {
  it('ACK is outside the per-connection order; SEND, CREATE, JOIN, ALLOW, DELETE are in it', () => {
    expect(isUnordered({ type: 'ACK' })).toBe(true);
    for (const type of ['SEND', 'CREATE', 'JOIN', 'ALLOW', 'DELETE'] as const) expect(isUnordered({ type })).toBe(false);
  });
});
