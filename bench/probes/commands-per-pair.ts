import { Client } from 'pg';
import { setUpGroup, startChatStack, waitForGroupConverged } from '../../test/support/chat-stack';

/**
 * Chat commands per pair of a converged group, by function, command type and status, with the relays'
 * failure rate set before the joins (as the bench's convergence runs do):
 * `node dist/bench/probes/commands-per-pair.js [members=10] [faults=0]` (after `npm run build`).
 */
async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 10);
  const failureRate = Number(process.argv[3] ?? 0);
  let dbUrl = '';
  const stack = await startChatStack({ label: 'probe-pairs', relays: 2, via: { database: async (url) => (dbUrl = url) } });
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  try {
    const started = Date.now();
    const setup = await setUpGroup(stack.api, 'Host', Array.from({ length: members }, (_, i) => `M${i + 1}`), {
      concurrentJoins: true,
      beforeJoins: async () => {
        await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate })));
      },
    });
    await waitForGroupConverged(stack.api, setup, 300_000);
    const pairs = ((members + 1) * members) / 2;
    const rows: { function: string; type: string; status: string; n: number }[] = (
      await pg.query(`SELECT function, command->>'type' AS type, status, count(*)::int AS n FROM chat.commands GROUP BY 1, 2, 3 ORDER BY 4 DESC`)
    ).rows;
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    console.log(`host + ${members} at ${failureRate * 100}% faults: converged in ${((Date.now() - started) / 1000).toFixed(1)} s; ${total} chat commands, ${(total / pairs).toFixed(1)} per pair (${pairs} pairs)`);
    for (const r of rows) console.log(`  ${(r.n / pairs).toFixed(2)}  ${r.function} ${r.type} ${r.status}`);
    // What the SENDs carried: a body is one protocol message (a JSON object) or a batch of them (an array).
    const sends: { body: string; executions: number }[] = (await pg.query(`SELECT command->>'body' AS body, executions FROM chat.commands WHERE command->>'type' = 'SEND'`)).rows;
    const kinds = new Map<string, number>();
    let messages = 0;
    for (const { body } of sends) {
      const parsed: unknown = JSON.parse(body);
      const items = (Array.isArray(parsed) ? parsed.map((m) => (typeof m === 'string' ? JSON.parse(m) : m)) : [parsed]) as { type?: string }[];
      messages += items.length;
      const key = items.map((m) => m.type ?? '?').sort().join('+');
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    const executions = sends.reduce((sum, s) => sum + s.executions, 0);
    console.log(`SENDs: ${sends.length} carrying ${messages} messages (${(messages / Math.max(1, sends.length)).toFixed(2)} per SEND), ${executions} executions; by content:`);
    for (const [key, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${n}  ${key.length > 120 ? `${key.slice(0, 120)}…` : key}`);
    // What the processes counted: relay requests by route and status, the agent's retries and hedges.
    const series = new Map<string, number>();
    for (const base of [...stack.relays.map((r) => r.url), stack.agent.url]) {
      const text = await (await fetch(`${base}/metrics`)).text();
      for (const line of text.split('\n')) {
        if (!/^gc_(relay_requests_total|relay_faults_injected_total|relay_batched_operations_total|agent_transient_retries_total|agent_relay_hedges_\w+_total|agent_commands_total)\b/.test(line)) continue;
        const at = line.lastIndexOf(' ');
        const key = line.slice(0, at).replace(/,?relay="[^"]*"/, '');
        series.set(key, (series.get(key) ?? 0) + Number(line.slice(at + 1)));
      }
    }
    console.log('metrics, per pair (summed over the relays):');
    for (const [key, n] of [...series].filter(([, n]) => n > 0).sort()) console.log(`  ${(n / pairs).toFixed(2)}  ${key}`);
  } finally {
    await pg.end();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
