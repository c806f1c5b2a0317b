import { boardSettings } from './board-settings';
import { FailedLogins } from './failed-logins';

describe('FailedLogins', () => {
  it('refuses an address after max failures until its window ends; a success clears it; others are unaffected', () => {
    const logins = new FailedLogins(3, 1_000);
    for (let i = 0; i < 3; i++) {
      expect(logins.blockedFor('10.0.0.1', 100)).toBe(0);
      logins.failed('10.0.0.1', 100);
    }
    expect(logins.blockedFor('10.0.0.1', 200)).toBe(900);
    expect(logins.blockedFor('10.0.0.2', 200)).toBe(0);
    expect(logins.blockedFor('10.0.0.1', 1_100)).toBe(0);
    logins.failed('10.0.0.3', 0);
    logins.succeeded('10.0.0.3');
    logins.failed('10.0.0.3', 0);
    logins.failed('10.0.0.3', 0);
    expect(logins.blockedFor('10.0.0.3', 0)).toBe(0);
  });
});

describe('boardSettings', () => {
  it('is read-only unless BULL_BOARD_READ_ONLY=false, and refuses other values', () => {
    expect(boardSettings({})).toEqual({ readOnly: true, maxFailedLogins: 10, loginWindowMs: 900_000 });
    expect(boardSettings({ BULL_BOARD_READ_ONLY: 'false' }).readOnly).toBe(false);
    expect(() => boardSettings({ BULL_BOARD_READ_ONLY: 'no' })).toThrow(/BULL_BOARD_READ_ONLY must be true or false/);
  });
});
