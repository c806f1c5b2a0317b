import { advances } from './connection-stage';

describe('connection stages move forward only', () => {
  it('follows the inviter and joiner handshakes', () => {
    expect(advances('creating', 'invited')).toBe(true);
    expect(advances('invited', 'confirmed')).toBe(true);
    expect(advances('confirmed', 'allowed')).toBe(true);
    expect(advances('allowed', 'connected')).toBe(true);
    expect(advances('joining', 'joined')).toBe(true);
    expect(advances('joining', 'connected')).toBe(true);
  });

  it('ignores late, repeated and backwards events', () => {
    expect(advances('connected', 'joined')).toBe(false);
    expect(advances('connected', 'connected')).toBe(false);
    expect(advances('allowed', 'confirmed')).toBe(false);
    expect(advances('connected', 'failed')).toBe(false);
    expect(advances('failed', 'connected')).toBe(false);
  });
});
