import { freePort } from '../../../test/support/free-port';
import { ADMIN_DATABASE_URL } from '../../../test/support/test-isolation';
import { checkPostgresReachable } from './postgres-requirements';

describe('checkPostgresReachable', () => {
  it('answers with the server version, or names the unreachable server', async () => {
    expect(await checkPostgresReachable(ADMIN_DATABASE_URL)).toMatch(/^\d+/);
    await expect(checkPostgresReachable(`postgres://postgres@127.0.0.1:${await freePort()}/x`)).rejects.toThrow(/Postgres at 127\.0\.0\.1:\d+\/x does not answer .*DATABASE_URL/);
  });
});
