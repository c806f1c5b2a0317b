import { AgentEventOf } from '@gc/contracts';
import { CONTRACT_JOB_OPTIONS } from '@gc/queueing';
import { Job } from 'bullmq';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { eventOn, newConnId, newCorrId, resultOf } from './chat-side';

async function completed(stack: AgentStack, jobId: string): Promise<Job> {
  return eventually(
    async () => {
      // State first, then the job: a job read before it finished would carry a stale return value.
      const state = await stack.commandsQueue.getJobState(jobId);
      if (state === 'failed') throw new Error(`job ${jobId} failed: ${(await stack.commandsQueue.getJob(jobId))?.failedReason}`);
      return state === 'completed' ? stack.commandsQueue.getJob(jobId) : undefined;
    },
    { what: `job ${jobId} completed` },
  );
}

describe('agent: idempotent by corrId', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-idem', relays: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('makes one relay queue and one result for a CREATE enqueued twice, run twice at once, and re-enqueued after completion', async () => {
    const [relay] = stack.relays;
    const before = await relay.queueCount();
    const command = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'alice', connId: newConnId() };
    // The same corrId twice (BullMQ dedupes the job id) and once more under another job id, so two
    // runs of the same command really execute at once.
    await stack.send(command);
    await stack.send(command);
    await stack.commandsQueue.add(command.type, command, { ...CONTRACT_JOB_OPTIONS, jobId: `${command.corrId}-again` });

    const first = await completed(stack, command.corrId);
    const second = await completed(stack, `${command.corrId}-again`);
    const inv = await resultOf(stack, command.corrId, 'INV');
    expect(first.returnvalue).toEqual([inv]);
    expect(second.returnvalue).toEqual([inv]);
    expect(inv.eventId).toBe(`r-${command.corrId}`);

    // After completion: the chat re-enqueues it (e.g. its reconciler); the stored result comes back.
    await first.remove();
    await stack.send(command);
    const third = await completed(stack, command.corrId);
    expect(third.returnvalue).toEqual([inv]);

    expect((await relay.queueCount()) - before).toBe(1);
    expect(stack.events.all().filter((e) => e.type === 'INV' && e.connId === command.connId)).toHaveLength(1);
    expect(stack.events.of('ERR')).toEqual([]);
  });

  it('sends one confirmation for a JOIN run twice at once and re-enqueued after completion', async () => {
    const create = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'carol', connId: newConnId() };
    await stack.send(create);
    const inv = await resultOf(stack, create.corrId, 'INV');
    const join = { type: 'JOIN' as const, corrId: newCorrId(), userId: 'dave', connId: newConnId(), invitation: inv.invitation, connInfo: '{"who":"dave"}' };
    await stack.send(join);
    await stack.commandsQueue.add(join.type, join, { ...CONTRACT_JOB_OPTIONS, jobId: `${join.corrId}-again` });
    const joined = await resultOf(stack, join.corrId, 'JOINED');
    await completed(stack, `${join.corrId}-again`);
    const redo = await completed(stack, join.corrId);
    await redo.remove();
    await stack.send(join);
    expect((await completed(stack, join.corrId)).returnvalue).toEqual([joined]);

    await eventOn(stack, create.userId, create.connId, 'CONF');
    // Both runs and the re-run sent the conf under one msgId: the inviter's queue accepted one message.
    const [inviterConn] = await stack.query(`SELECT rcv_recipient_id FROM agent.connections WHERE conn_id = $1`, [create.connId]);
    expect(await stack.relays[0].acceptedMessages(inviterConn.rcv_recipient_id)).toBe(1);
    expect(stack.events.all().filter((e) => e.type === 'CONF' && e.connId === create.connId)).toHaveLength(1);

    // A chat that missed the CONF finds it again through SUBSCRIBE (seed: status on subscription).
    const conf = await eventOn(stack, create.userId, create.connId, 'CONF');
    const sub = newCorrId();
    await stack.send({ type: 'SUBSCRIBE', corrId: sub, userId: create.userId, connIds: [create.connId] });
    const status = await stack.events.waitFor<AgentEventOf<'STATUS'>>((e) => e.type === 'STATUS' && e.corrId === sub, 'STATUS');
    expect(status).toMatchObject({
      status: 'confirmed',
      invitation: inv.invitation,
      confirmation: { confirmationId: conf.confirmationId, connInfo: '{"who":"dave"}' },
    });
  });
});
