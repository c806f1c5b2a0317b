import { AgentEventOf } from '@gc/contracts';
import { Job } from 'bullmq';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { deleteQueueAsOwner } from '../support/relay-queue-owner';
import { connectPair, eventOn, newConnId, newCorrId, resultOf } from './chat-side';

async function failedReason(stack: AgentStack, jobId: string): Promise<string> {
  // State first, then the job: a job read before it finished would carry stale fields.
  const job = await eventually(
    async () => ((await stack.commandsQueue.getJobState(jobId)) === 'failed' ? ((await stack.commandsQueue.getJob(jobId)) as Job) : undefined),
    { what: `job ${jobId} failed` },
  );
  expect(job.attemptsMade).toBe(1);
  return job.failedReason;
}

async function errOf(stack: AgentStack, corrId: string): Promise<AgentEventOf<'ERR'>> {
  return stack.events.waitFor<AgentEventOf<'ERR'>>((e) => e.type === 'ERR' && e.corrId === corrId, `ERR for ${corrId}`);
}

describe('agent: malformed jobs and refused commands', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-refusals', relays: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails malformed jobs with a reason naming the fields, and keeps processing good jobs', async () => {
    const q = stack.commandsQueue;
    await q.add('CREATE', { type: 'CREATE', corrId: 'corr-missing-conn', userId: 'u1' }, { jobId: 'bad-missing' });
    await q.add('JOIN', { type: 'JOIN', corrId: 'corr-wrong-types', userId: 7, connId: 'c1', invitation: 42, connInfo: '{}' }, { jobId: 'bad-types' });
    await q.add('REBOOT', { type: 'REBOOT', corrId: 'corr-unknown-type', userId: 'u1' }, { jobId: 'bad-type' });
    await q.add('CREATE', 'not even an object', { jobId: 'bad-shape' });
    const good = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'u1', connId: newConnId() };
    await stack.send(good);

    expect(await failedReason(stack, 'bad-missing')).toMatch(/invalid agent command: .*connId/);
    const wrongTypes = await failedReason(stack, 'bad-types');
    expect(wrongTypes).toMatch(/userId/);
    expect(wrongTypes).toMatch(/invitation/);
    expect(await failedReason(stack, 'bad-type')).toMatch(/invalid agent command: .*type/);
    expect(await failedReason(stack, 'bad-shape')).toMatch(/invalid agent command/);
    await resultOf(stack, good.corrId, 'INV');

    // Where corrId and userId were readable, the chat also gets ERR VALIDATION for its command.
    const err = await errOf(stack, 'corr-missing-conn');
    expect(err.error).toMatchObject({ code: 'VALIDATION', permanent: true, message: expect.stringContaining('connId') });
    expect(stack.events.all().some((e) => e.type === 'ERR' && e.corrId === 'corr-wrong-types')).toBe(false);
  });

  it('refuses SEND before CON (CONN_STATE), a garbage invitation (INVALID_INVITATION) and other impossible commands', async () => {
    const create = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'alice', connId: newConnId() };
    await stack.send(create);
    await resultOf(stack, create.corrId, 'INV');

    const cases: Array<[Parameters<AgentStack['send']>[0], string]> = [
      [{ type: 'SEND', corrId: newCorrId(), userId: 'alice', connId: create.connId, msgId: 'm1', body: 'too early' }, 'CONN_STATE'],
      [{ type: 'JOIN', corrId: newCorrId(), userId: 'bob', connId: newConnId(), invitation: 'garbage!!', connInfo: '{}' }, 'INVALID_INVITATION'],
      [{ type: 'ALLOW', corrId: newCorrId(), userId: 'alice', connId: create.connId, confirmationId: 'never-sent', connInfo: '{}' }, 'UNKNOWN_CONFIRMATION'],
      [{ type: 'SEND', corrId: newCorrId(), userId: 'alice', connId: 'no-such-conn', msgId: 'm1', body: 'x' }, 'CONN_NOT_FOUND'],
      [{ type: 'ACK', corrId: newCorrId(), userId: 'alice', connId: 'no-such-conn', agentMsgId: 'm1' }, 'CONN_NOT_FOUND'],
      [{ type: 'DELETE', corrId: newCorrId(), userId: 'alice', connId: 'no-such-conn' }, 'CONN_NOT_FOUND'],
      // The same connId used again by a conflicting command.
      [{ type: 'CREATE', corrId: newCorrId(), userId: 'alice', connId: create.connId }, 'CONN_STATE'],
    ];
    for (const [command] of cases) await stack.send(command);
    for (const [command, code] of cases) {
      const err = await errOf(stack, command.corrId);
      expect(err.error).toMatchObject({ code, permanent: true });
      expect(await failedReason(stack, command.corrId)).toContain(code);
    }
    // A repeated refused command answers the same ERR again, no new work.
    const [sendEarly] = cases[0];
    const job = await stack.commandsQueue.getJob(sendEarly.corrId);
    await job!.remove();
    await stack.send(sendEarly);
    expect(await failedReason(stack, sendEarly.corrId)).toContain('CONN_STATE');
  });

  it('deletes a connection (relay queue gone, STATUS deleted) and refuses SEND on it afterwards', async () => {
    const { inviter } = await connectPair(stack, 'carol', 'dave');
    const del = newCorrId();
    await stack.send({ type: 'DELETE', corrId: del, ...inviter });
    await resultOf(stack, del, 'DELETED');
    const [row] = await stack.query(`SELECT rcv_relay, rcv_recipient_id, recipient_private_key FROM agent.connections WHERE conn_id = $1`, [inviter.connId]);
    // Deleted already: a repeat by the owner is still 204 (the relay keeps the queue's tombstone).
    expect(await deleteQueueAsOwner(row.rcv_relay, row.rcv_recipient_id, row.recipient_private_key)).toBe(204);

    const sub = newCorrId();
    await stack.send({ type: 'SUBSCRIBE', corrId: sub, userId: inviter.userId, connIds: [inviter.connId] });
    const status = await stack.events.waitFor<AgentEventOf<'STATUS'>>((e) => e.type === 'STATUS' && e.corrId === sub, 'STATUS');
    expect(status.status).toBe('deleted');

    const send = newCorrId();
    await stack.send({ type: 'SEND', corrId: send, ...inviter, msgId: 'after-delete', body: 'x' });
    expect((await errOf(stack, send)).error.code).toBe('CONN_STATE');
    await eventOn(stack, inviter.userId, inviter.connId, 'CON');
  });
});
