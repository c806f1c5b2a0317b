import { Job, Queue, Worker } from 'bullmq';
import { eventually } from '../../../test/support/eventually';
import { dropKeys, SHARED_REDIS_URL, testQueuePrefix } from '../../../test/support/test-isolation';
import { EVENT_DETERMINISTIC_ATTEMPTS, EVENT_RETRY_MAX_MS, eventRetryDelay, isTransientFailure } from './event-backoff';
import { EVENT_JOB_OPTIONS } from './job-options';
import { bullConnectionOptions } from './queue-connection';
import { RESILIENT_WORKER_OPTIONS } from './worker-settings';

const pgError = (code: string) => Object.assign(new Error('pg says no'), { code });

describe('event retry backoff', () => {
  it('tells infrastructure failures from deterministic ones', () => {
    expect(isTransientFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientFailure(pgError('57P01'))).toBe(true); // terminated by administrator
    expect(isTransientFailure(pgError('40P01'))).toBe(true); // deadlock
    expect(isTransientFailure(pgError('55P03'))).toBe(true); // lock_timeout
    expect(isTransientFailure(pgError('57014'))).toBe(true); // statement_timeout
    expect(isTransientFailure({ message: 'Query failed', driverError: pgError('08006') })).toBe(true); // TypeORM's wrapper
    expect(isTransientFailure(new Error('Postgres socket silent for 20000 ms; dropped'))).toBe(true);
    expect(isTransientFailure(pgError('23505'))).toBe(false); // unique violation: the same every time
    expect(isTransientFailure(new TypeError("Cannot read properties of undefined (reading 'memberId')"))).toBe(false);
  });

  it('grows exponentially, is capped at 15 s whatever the attempt, and fails a deterministic error after a bounded number of tries', () => {
    expect(eventRetryDelay(1, pgError('08006'), () => 0.5)).toBe(200);
    expect(eventRetryDelay(4, pgError('08006'), () => 0.5)).toBe(1_600);
    for (const n of [15, 18, 30, 1_000, 999_999]) {
      for (const r of [0, 0.999]) expect(eventRetryDelay(n, pgError('08006'), () => r)).toBeLessThanOrEqual(EVENT_RETRY_MAX_MS);
    }
    expect(eventRetryDelay(EVENT_DETERMINISTIC_ATTEMPTS - 1, new TypeError('bug'))).toBeGreaterThan(0);
    expect(eventRetryDelay(EVENT_DETERMINISTIC_ATTEMPTS, new TypeError('bug'))).toBe(-1);
    expect(eventRetryDelay(EVENT_DETERMINISTIC_ATTEMPTS * 100, pgError('57P01'))).toBeGreaterThan(0); // an outage never fails an event
  });

  describe('with BullMQ', () => {
    const prefix = testQueuePrefix('event-backoff');
    const connection = bullConnectionOptions({ redisUrl: SHARED_REDIS_URL, prefix });
    let queue: Queue;
    let worker: Worker | undefined;

    beforeAll(() => {
      queue = new Queue('events', connection);
    });
    afterAll(async () => {
      await worker?.close();
      await queue.close();
      await dropKeys(SHARED_REDIS_URL, `${prefix}*`);
    });

    it('a worker with RESILIENT_WORKER_OPTIONS retries an event job with the capped strategy until the infrastructure is back', async () => {
      const tries: number[] = [];
      worker = new Worker(
        'events',
        async (job: Job) => {
          tries.push(Date.now());
          if (job.attemptsMade < 3) throw pgError('57P01');
          return 'handled';
        },
        { ...connection, ...RESILIENT_WORKER_OPTIONS },
      );
      const job = await queue.add('CON', { n: 1 }, { ...EVENT_JOB_OPTIONS, jobId: 'e-1' });
      await eventually(async () => (await queue.getJobState(job.id!)) === 'completed', { timeoutMs: 20_000, what: 'event handled after 3 retries' });
      const done = await queue.getJob(job.id!);
      expect(done?.returnvalue).toBe('handled');
      expect(tries).toHaveLength(4);
      // 200, 400, 800 ms (±25 %): the strategy ran (an unknown custom type would have failed the job at once).
      const gaps = tries.slice(1).map((t, i) => t - tries[i]);
      expect(gaps[2]).toBeGreaterThan(gaps[0]);
    });
  });
});
