import { checkRedisRequirements } from '../../queueing/src/redis-requirements';
import { freePort } from '../../../test/support/free-port';
import { ADMIN_DATABASE_URL, SHARED_REDIS_URL } from '../../../test/support/test-isolation';
import { awaitDependencies } from './dependency-wait';
import { checkPostgresReachable } from './postgres-requirements';

describe('awaitDependencies (start-up checks)', () => {
  it('passes with the shared Redis and Postgres', async () => {
    await awaitDependencies([() => checkRedisRequirements(SHARED_REDIS_URL), () => checkPostgresReachable(ADMIN_DATABASE_URL)], () => undefined, 0);
  });

  it('waits for an unreachable Redis, saying so, then fails with the reason', async () => {
    const lines: string[] = [];
    const redisUrl = `redis://127.0.0.1:${await freePort()}/0`;
    await expect(awaitDependencies([() => checkRedisRequirements(redisUrl), () => checkPostgresReachable(ADMIN_DATABASE_URL)], (l) => lines.push(l), 2_500)).rejects.toThrow(
      /Redis at 127\.0\.0\.1:\d+ does not answer/,
    );
    expect(lines[0]).toMatch(/waiting for dependencies: Redis at/);
  });

  it('stops at once on a failure marked final', async () => {
    const tooOld = Object.assign(new Error('Redis at x is version 6.2.0; 7.0 or newer is required'), { waitingWontHelp: true as const });
    const lines: string[] = [];
    await expect(awaitDependencies([() => Promise.reject(tooOld)], (l) => lines.push(l), 60_000)).rejects.toThrow(/6\.2\.0; 7\.0 or newer/);
    expect(lines).toEqual([]);
  });
});
