import { replicaConnectionShortfall } from './replica-scaling';

// Against the shared Postgres (read-only: settings and pg_stat_activity).
describe('replica runs: Postgres connection budget', () => {
  it('lets a replica count run whose pools fit in the free connections', async () => {
    await expect(replicaConnectionShortfall(1, { chat: { DATABASE_POOL_SIZE: '1' }, agent: { DATABASE_POOL_SIZE: '1' } })).resolves.toBeUndefined();
  });

  it('refuses, with the numbers, one whose pools would pass max_connections', async () => {
    const reason = await replicaConnectionShortfall(1000, { chat: {}, agent: {} });
    expect(reason).toMatch(/^needs 30002 Postgres connections \(1000 × \(chat pool 20 \+ agent pool 10\) \+ 2\), the server has \d+ free \(max_connections \d+, \d+ in use by other work\)$/);
  });
});
