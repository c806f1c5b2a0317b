import { BoardPasswordMissing, DEV_BOARD_PASSWORD, boardCredentials } from './board-credentials';

describe('boardCredentials', () => {
  it('uses BULL_BOARD_USER / BULL_BOARD_PASSWORD when the password is set, in any environment', () => {
    expect(boardCredentials({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 's3cret' }, 'production')).toEqual({ user: 'ops', password: 's3cret', devDefault: false });
  });

  it('refuses production without a password, naming the variable', () => {
    expect(() => boardCredentials({ BULL_BOARD_USER: 'admin' }, 'production')).toThrow(BoardPasswordMissing);
    expect(() => boardCredentials({ BULL_BOARD_USER: 'admin' }, 'production')).toThrow(/BULL_BOARD_PASSWORD: required when NODE_ENV=production/);
  });

  it('falls back to the dev password outside production, and says so', () => {
    expect(boardCredentials({ BULL_BOARD_USER: 'admin' }, 'development')).toEqual({ user: 'admin', password: DEV_BOARD_PASSWORD, devDefault: true });
    expect(boardCredentials({ BULL_BOARD_USER: 'admin' }, undefined).devDefault).toBe(true);
  });
});
