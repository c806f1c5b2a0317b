import { Client } from 'pg';
import { setUpGroup, startChatStack, waitForGroupConverged } from '../../test/support/chat-stack';

/**
 * Chat commands per pair of a converged group, by function and command type (0% faults):
 * `node dist/bench/probes/commands-per-pair.js [members=10]` (after `npm run build`).
 */
async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 10);
  let dbUrl = '';
  const stack = await startChatStack({ label: 'probe-pairs', relays: 2, via: { database: async (url) => (dbUrl = url) } });
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  try {
    const started = Date.now();
    const setup = await setUpGroup(stack.api, 'Host', Array.from({ length: members }, (_, i) => `M${i + 1}`), { concurrentJoins: true });
    await waitForGroupConverged(stack.api, setup);
    const pairs = ((members + 1) * members) / 2;
    const rows: { function: string; type: string; n: number }[] = (
      await pg.query(`SELECT function, command->>'type' AS type, count(*)::int AS n FROM chat.commands GROUP BY 1, 2 ORDER BY 3 DESC`)
    ).rows;
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    console.log(`host + ${members}: converged in ${((Date.now() - started) / 1000).toFixed(1)} s; ${total} chat commands, ${(total / pairs).toFixed(1)} per pair (${pairs} pairs)`);
    for (const r of rows) console.log(`  ${(r.n / pairs).toFixed(2)}  ${r.function} ${r.type}`);
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
