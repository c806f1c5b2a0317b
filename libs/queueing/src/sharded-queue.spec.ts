import { shardOf } from '@gc/contracts';
import { dropKeys, scanKeys, SHARED_REDIS_URL, testQueuePrefix } from '../../../test/support/test-isolation';
import { ShardedQueue } from './sharded-queue';
import { ShardWorkers, perShardConcurrency } from './shard-workers';
import { eventually } from '../../../test/support/eventually';

describe('ShardedQueue', () => {
  const prefix = testQueuePrefix('sharded-queue');
  const base = prefix.slice(0, -1);
  afterAll(async () => {
    await dropKeys(SHARED_REDIS_URL, `${prefix}*`);
    await dropKeys(SHARED_REDIS_URL, `${base}:*`);
  });

  it('splits a process\'s concurrency over its shard workers', () => {
    expect(perShardConcurrency(32, 1)).toBe(32);
    expect(perShardConcurrency(32, 4)).toBe(8);
    expect(perShardConcurrency(8, 3)).toBe(3);
    expect(perShardConcurrency(8, 64)).toBe(1);
  });

  it('with one shard is the queue of before: the prefix unchanged', async () => {
    const queue = ShardedQueue.open('q1', { redisUrl: SHARED_REDIS_URL, prefix, shards: 1 });
    try {
      expect(queue.shards.map((q) => q.opts.prefix)).toEqual([prefix]);
      await queue.forConnection('c-1').add('CREATE', { connId: 'c-1' }, { jobId: 'j-1' });
      expect(await scanKeys(SHARED_REDIS_URL, `${prefix}:q1:j-1`)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  it('puts a job (add or addBulk) on the shard of its connection, finds it by id on any shard, and a worker per shard runs them all', async () => {
    const queue = ShardedQueue.open('q4', { redisUrl: SHARED_REDIS_URL, prefix, shards: 4 });
    const ran: { connId: string; prefix: string }[] = [];
    const workers = ShardWorkers.open('q4', async (job) => void ran.push({ connId: job.data.connId, prefix: job.prefix }), { redisUrl: SHARED_REDIS_URL, prefix, shards: 4 }, { concurrency: 8 });
    expect(workers.workers.map((w) => w.concurrency)).toEqual([2, 2, 2, 2]);
    try {
      const connIds = Array.from({ length: 16 }, (_, i) => `conn-${i}`);
      for (const connId of connIds.slice(0, 8)) await queue.forMessage({ connId }).add('SEND', { connId }, { jobId: `job-${connId}` });
      await queue.addBulk(connIds.slice(8).map((connId) => ({ name: 'SEND', data: { connId }, opts: { jobId: `job-${connId}` } })));
      for (const connId of connIds) {
        expect(await scanKeys(SHARED_REDIS_URL, `${base}:${shardOf(connId, 4)}}:q4:job-${connId}`)).toHaveLength(1);
        expect((await queue.findJob(`job-${connId}`))?.data).toEqual({ connId });
      }
      expect(await queue.findJob('no-such-job')).toBeUndefined();
      await eventually(async () => ran.length === connIds.length, { what: 'every job run' });
      for (const r of ran) expect(r.prefix).toBe(`${base}:${shardOf(r.connId, 4)}}`);
    } finally {
      await workers.close();
      await queue.close();
    }
  });
});
