import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { AgentCommand } from '@gc/contracts';
import { dropKeys, SHARED_REDIS_URL, testQueuePrefix } from '../../../../test/support/test-isolation';
import { eventually } from '../../../../test/support/eventually';
import { jobOf } from './command-publisher';

// On the real Redis, with a real BullMQ worker: the order the agent takes the chat's commands in.
describe('command jobs: depth-first (jobPriorityOf)', () => {
  const prefix = testQueuePrefix('command-publisher');
  const connection = { url: SHARED_REDIS_URL };
  afterAll(async () => {
    await dropKeys(SHARED_REDIS_URL, `${prefix}*`);
  });

  const userId = randomUUID();
  const command = (type: 'CREATE' | 'JOIN' | 'SEND' | 'ACK'): AgentCommand => {
    const base = { corrId: randomUUID(), userId, connId: randomUUID() };
    switch (type) {
      case 'CREATE':
        return { ...base, type };
      case 'JOIN':
        return { ...base, type, invitation: 'inv', connInfo: '{}' } as AgentCommand;
      case 'SEND':
        return { ...base, type, msgId: randomUUID(), body: '{}' };
      case 'ACK':
        return { ...base, type, agentMsgId: 'm-1' };
    }
  };

  it('a waiting CREATE is taken only after the commands that move handshakes on, whatever was added first; each kind stays FIFO', async () => {
    const queue = new Queue('agent-commands', { connection, prefix });
    // Added before any worker runs: the whole backlog is there when the first job is taken.
    const added = [command('CREATE'), command('CREATE'), command('SEND'), command('JOIN'), command('CREATE'), command('ACK'), command('SEND')];
    for (const c of added.slice(0, 4)) {
      const job = jobOf(c);
      await queue.add(job.name, job.data, job.opts);
    }
    await queue.addBulk(added.slice(4).map(jobOf));
    const taken: string[] = [];
    const worker = new Worker('agent-commands', async (job) => void taken.push(job.data.corrId), { connection, prefix, concurrency: 1 });
    try {
      await eventually(async () => taken.length === added.length, { what: 'every job taken' });
      const others = added.filter((c) => c.type !== 'CREATE').map((c) => c.corrId);
      const creates = added.filter((c) => c.type === 'CREATE').map((c) => c.corrId);
      expect(taken).toEqual([...others, ...creates]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('keeps the contract: job name = type, job id = corrId, one attempt', () => {
    for (const c of [command('CREATE'), command('SEND')]) {
      const job = jobOf(c);
      expect(job).toMatchObject({ name: c.type, data: c, opts: { jobId: c.corrId, attempts: 1 } });
    }
    expect(jobOf(command('CREATE')).opts.priority).toBeGreaterThan(0);
    expect(jobOf(command('SEND')).opts.priority).toBeUndefined();
  });
});
