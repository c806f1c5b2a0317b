import { startTcpProxy } from '../../../test/support/tcp-proxy';
import { SHARED_REDIS_URL } from '../../../test/support/test-isolation';
import { freePort } from '../../../test/support/free-port';
import { checkRedisRequirements, redisVersionOf } from './redis-requirements';

describe('checkRedisRequirements', () => {
  it('reads the version from INFO', () => {
    expect(redisVersionOf('# Server\r\nredis_version:6.2.14\r\nredis_mode:standalone\r\n')).toBe('6.2.14');
  });

  it('accepts the shared Redis (≥ 7) and names an unreachable or silent one', async () => {
    expect(Number((await checkRedisRequirements(SHARED_REDIS_URL)).split('.')[0])).toBeGreaterThanOrEqual(7);
    await expect(checkRedisRequirements(`redis://127.0.0.1:${await freePort()}/0`)).rejects.toThrow(/does not answer .*check REDIS_URL/);
    const target = new URL(SHARED_REDIS_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    try {
      proxy.setMode('black-hole');
      await expect(checkRedisRequirements(proxy.url(SHARED_REDIS_URL), 1_000)).rejects.toThrow(/does not answer/);
    } finally {
      await proxy.stop();
    }
  });
});
