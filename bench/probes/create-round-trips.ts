import { Client } from 'pg';
import { startChatStack } from '../../test/support/chat-stack';
import { eventually } from '../../test/support/eventually';
import { completedCount } from '../measure/command-completion';
import { PgRoundTripProxy, PgTally } from './pg-round-trip-proxy';

/**
 * Postgres round trips and statements per CREATE, per process (chat, agent), and relay requests per
 * CREATE by route and status: `node dist/bench/probes/create-round-trips.js [N=200] [callers=16]`
 * (after `npm run build`; a system of its own on the shared Redis and Postgres, like the bench).
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const callers = Number(process.argv[3] ?? 16);
  const proxy = new PgRoundTripProxy();
  const port = await proxy.start();
  let dbUrl = '';
  const stack = await startChatStack({ label: 'probe-rt', relays: 2, via: { database: async (url) => ((dbUrl = url), url.replace('127.0.0.1:5432', `127.0.0.1:${port}`)) } });
  // search_path chat, as the bench's own client: completedCount names the chat's tables unqualified.
  const pg = new Client({ connectionString: dbUrl, options: '-c search_path=chat' });
  await pg.connect();
  try {
    const until = (count: number) =>
      eventually(async () => (await completedCount(pg, 'CREATE_CONTACT_INVITATION')) >= count, { timeoutMs: 120_000, intervalMs: 20, what: `${count} CREATEs completed` });
    const users: string[] = [];
    for (let i = 0; i < 10; i++) users.push(await stack.api.createUser(`u${i}`));
    await Promise.all(users.map((u) => stack.api.createInvitation(u))); // warm-up
    await until(users.length);
    const pgBefore = proxy.snapshot();
    const relayBefore = await Promise.all(stack.relays.map((r) => relayRequests(r.url)));
    let next = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (next < n) await stack.api.createInvitation(users[next++ % users.length]);
      }),
    );
    await until(users.length + n);
    const names = new Map([
      [stack.chat.child.pid, 'chat'],
      [stack.agent.child.pid, 'agent'],
    ]);
    console.log(`${n} CREATEs, ${callers} concurrent callers`);
    for (const [pid, tally] of proxy.byPid) {
      const before = pgBefore.get(pid) ?? ({ roundTrips: 0, statements: new Map() } as PgTally);
      const name = names.get(pid);
      if (!name) continue;
      console.log(`${name}: ${((tally.roundTrips - before.roundTrips) / n).toFixed(2)} Postgres round trips per CREATE`);
      const rows = [...tally.statements].map(([text, c]) => [text, c - (before.statements.get(text) ?? 0)] as const).filter(([, c]) => c > 0);
      for (const [text, c] of rows.sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${(c / n).toFixed(2)}  ${text}`);
    }
    const relayAfter = await Promise.all(stack.relays.map((r) => relayRequests(r.url)));
    const routes = new Map<string, number>();
    relayAfter.forEach((after, i) => {
      for (const [k, v] of after) routes.set(k, (routes.get(k) ?? 0) + v - (relayBefore[i].get(k) ?? 0));
    });
    console.log('relay requests per CREATE (both relays):');
    for (const [k, v] of [...routes].sort((a, b) => b[1] - a[1])) if (v > 0 && !k.includes('/metrics')) console.log(`  ${(v / n).toFixed(2)}  ${k}`);
  } finally {
    await pg.end();
    await stack.stop();
    await proxy.stop();
  }
}

/** gc_relay_requests_total by route, method and status. */
async function relayRequests(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^gc_relay_requests_total\{([^}]*)\}\s+(\S+)/gm)) {
    const labels = m[1].replace(/,?(app|relay)="[^"]*"/g, '');
    counts.set(labels, (counts.get(labels) ?? 0) + Number(m[2]));
  }
  return counts;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
