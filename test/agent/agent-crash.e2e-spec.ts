import { readFileSync, statSync } from 'node:fs';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { newConnId, newCorrId, resultOf } from './chat-side';

describe('agent: killed with SIGKILL during a command', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    // A generous client timeout, so a slow relay keeps the command in flight instead of failing fast.
    stack = await startAgentStack({ label: 'agent-crash', relays: 1, env: { RELAY_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // The step is stored only with a transient failure, so the connection row tells: made, no receive queue yet.
  const creatingQueue = async (command: { userId: string; connId: string }) => {
    const [row] = await stack.query(`SELECT rcv_recipient_id FROM agent.connections WHERE user_id = $1 AND conn_id = $2`, [command.userId, command.connId]);
    return row !== undefined && row.rcv_recipient_id === null;
  };

  it('lets a new agent complete the command, even after its worker died twice, with one relay queue', async () => {
    const [relay] = stack.relays;
    const queuesBefore = await relay.queueCount();
    await relay.setFaults({ latencyMs: 2_500 });
    const command = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'alice', connId: newConnId() };
    await stack.send(command);

    const inFlight = async (minStarts: number) => {
      const job = await stack.commandsQueue.getJob(command.corrId);
      return job && (await job.getState()) === 'active' && job.attemptsStarted >= minStarts && (await creatingQueue(command));
    };
    await eventually(() => inFlight(1), { what: 'CREATE in flight on the first agent' });
    await stack.agents[0].process.kill9();

    // A second agent takes the stalled job over (short lock + stalled check) and dies the same way.
    const second = await stack.startAgent();
    await eventually(() => inFlight(2), { what: 'CREATE taken over by the second agent', timeoutMs: 15_000 });
    await second.process.kill9();

    await relay.setFaults({ latencyMs: 0 });
    await stack.startAgent();
    const started = Date.now();
    const inv = await resultOf(stack, command.corrId, 'INV', 20_000);
    expect(inv.connId).toBe(command.connId);
    // Recovered within the stalled-job window (lock 4 s + stalled check 1 s) of the kill, with margin for a loaded machine.
    expect(Date.now() - started).toBeLessThan(10_000);

    // Completed, not failed, although two workers died holding it (the INV is added just before).
    await eventually(async () => (await stack.commandsQueue.getJobState(command.corrId)) === 'completed', { what: 'job completed' });
    // Every run created the queue with idempotencyKey = corrId: still one queue.
    expect((await relay.queueCount()) - queuesBefore).toBe(1);
    expect(stack.events.of('ERR')).toEqual([]);
  });

  it('on SIGTERM finishes the command in flight before closing streams, queues and the database', async () => {
    const [relay] = stack.relays;
    const agent = stack.agents[stack.agents.length - 1];
    await relay.setFaults({ latencyMs: 1_500 });
    const command = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'bob', connId: newConnId() };
    await stack.send(command);
    await eventually(() => creatingQueue(command), { what: 'CREATE in flight' });

    const logStart = statSync(agent.logFile).size; // the log file is appended to across runs
    const stoppedAt = Date.now();
    await agent.process.stop();
    // Exited on its own SIGTERM handling (Nest re-raises the signal), well before stop()'s SIGKILL.
    expect(agent.process.child.signalCode).toBe('SIGTERM');
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await relay.setFaults({ latencyMs: 0 });
    expect(await stack.commandsQueue.getJobState(command.corrId)).toBe('completed');
    await resultOf(stack, command.corrId, 'INV');
    // The child's last lines may still be in the pipe to the log file when 'exit' fires.
    const log = await eventually(() => {
      const text = readFileSync(agent.logFile, 'utf8').slice(logStart);
      return text.includes('"msg":"relay streams closed"') ? text : undefined;
    }, { what: 'shutdown lines in the agent log', timeoutMs: 5_000 });
    expect(log.indexOf('"msg":"relay streams closed"')).toBeGreaterThan(log.indexOf('"msg":"command worker closed"'));
  });
});
