import { Client } from 'pg';
import { readFileSync, statSync } from 'node:fs';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { connectPair, sendAndReceive } from './chat-side';

/** Retries the agent logged ("command retry" / "inline retry" lines, info level). */
function loggedRetries(stack: AgentStack, logStarts: number[]): number {
  return stack.agents
    .map((a, i) => readFileSync(a.logFile, 'utf8').slice(logStarts[i]).split('\n').filter((l) => /"msg":"(command|inline) retry"/.test(l)).length)
    .reduce((a, b) => a + b, 0);
}

describe('agent: 30% relay faults on two relays, two agent processes', () => {
  let stack: AgentStack;
  let logStarts: number[];

  beforeAll(async () => {
    // Hedges off: a failed relay request is then replaced only by the retry policy, which this test is
    // about (with hedges, most injected faults are absorbed inside one exchange: http-exchange.spec.ts).
    stack = await startAgentStack({ label: 'agent-faults', relays: 2, agents: 2, env: { RELAY_HEDGE_MS: '0' } });
    // Log files are appended to across runs: count only this run's lines.
    logStarts = stack.agents.map((a) => statSync(a.logFile).size);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes every handshake and message of 6 connection pairs with zero ERR, and the retries show in logs and agent.commands', async () => {
    for (const relay of stack.relays) await relay.setFaults({ failureRate: 0.3 });
    const pairs = await Promise.all(Array.from({ length: 6 }, (_, i) => connectPair(stack, `host${i}`, `guest${i}`, 90_000)));
    await Promise.all(
      pairs.map(async ({ inviter, joiner }, i) => {
        const there = await sendAndReceive(stack, inviter, joiner, `to guest ${i}`, 60_000);
        const back = await sendAndReceive(stack, joiner, inviter, `to host ${i}`, 60_000);
        expect([there.body, back.body]).toEqual([`to guest ${i}`, `to host ${i}`]);
      }),
    );
    for (const relay of stack.relays) await relay.setFaults({ failureRate: 0 });

    expect(stack.events.of('ERR')).toEqual([]);
    // Each side connected exactly once per pair (events are deduped by eventId).
    expect(stack.events.of('CON')).toHaveLength(12);
    // Both relays carried queues: one relay down would stall only its own connections.
    for (const relay of stack.relays) expect(await relay.queueCount()).toBeGreaterThan(0);

    const db = new Client({ connectionString: stack.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT coalesce(sum(attempts), 0)::int AS attempts FROM agent.commands`);
      // Commands were retried (counted in agent.commands, one log line each), and so was inline IO.
      expect(rows[0].attempts).toBeGreaterThan(0);
      // The last lines may still be on their way through the pipe into the log file.
      await eventually(() => loggedRetries(stack, logStarts) >= rows[0].attempts, { what: 'a log line per counted retry', timeoutMs: 5_000 });
    } finally {
      await db.end();
    }
  });
});
