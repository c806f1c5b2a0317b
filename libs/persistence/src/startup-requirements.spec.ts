import { freePort } from '../../../test/support/free-port';
import { ADMIN_DATABASE_URL, SHARED_REDIS_URL } from '../../../test/support/test-isolation';
import { awaitStartupRequirements } from './startup-requirements';

describe('awaitStartupRequirements', () => {
  it('passes with the shared Redis and Postgres', async () => {
    await awaitStartupRequirements({ redisUrl: SHARED_REDIS_URL, databaseUrl: ADMIN_DATABASE_URL }, () => undefined, 0);
  });

  it('waits for an unreachable Redis, saying so, then fails with the reason', async () => {
    const lines: string[] = [];
    const redisUrl = `redis://127.0.0.1:${await freePort()}/0`;
    await expect(awaitStartupRequirements({ redisUrl, databaseUrl: ADMIN_DATABASE_URL }, (l) => lines.push(l), 2_500)).rejects.toThrow(
      /Redis at 127\.0\.0\.1:\d+ does not answer/,
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/waiting for dependencies: Redis at/);
  });
});
