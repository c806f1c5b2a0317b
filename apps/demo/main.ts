import { ChatClient, ProgressView } from './chat-client';
import { DemoOptions, parseDemoOptions } from './demo-options';
import { connectContact, DemoGroup, exchangeMessages, joinEveryone, Party, until, waitForOutboxDrained } from './group-scenario';
import { progressLine, ProgressBar } from './progress-bar';
import { scrapeSum } from './prometheus-text';
import { RelayFaults } from './relay-faults';
import { resultTable } from './result-table';

/**
 * `npm run demo`: drives the chat API of running services (npm start) through a group forming under
 * relay faults, shows the pairs connecting, and prints what it took.
 */
const say = (line: string) => process.stdout.write(`demo | ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function sumOver(urls: string[], metric: string): Promise<number | undefined> {
  const values = await Promise.all(urls.map((u) => scrapeSum(u, metric)));
  return values.some((v) => v === undefined) ? undefined : values.reduce((a: number, b) => a + b!, 0);
}

async function watchProgress(chat: ChatClient, group: DemoGroup, expectedPairs: number, startedAt: number, deadline: number, stop: () => boolean): Promise<ProgressView> {
  const bar = new ProgressBar();
  try {
    return await until(
      'the full mesh',
      deadline,
      async () => {
        if (stop()) throw new Error('stopped');
        const p = await chat.progress(group.host.userId, group.groupId);
        bar.update(progressLine(p, expectedPairs, Date.now() - startedAt));
        return p.pairsConnected === expectedPairs && p.pairsTotal === expectedPairs ? p : undefined;
      },
      500,
    );
  } finally {
    bar.done();
  }
}

async function run(o: DemoOptions): Promise<number> {
  const chat = new ChatClient(o.chatUrl);
  if (!(await chat.health())) throw new Error(`the chat at ${o.chatUrl} does not answer /health: start the services first (npm start), or set CHAT_URL`);
  const faults = new RelayFaults(o.relayUrls, o.relayAdminToken);
  await faults.clear().catch((err) => {
    throw new Error(`cannot reach the relays' fault API (RELAY_URLS, RELAY_ADMIN_TOKEN): ${(err as Error).message}`);
  });
  const deadline = Date.now() + o.timeoutS * 1000;
  const retriesBefore = await scrapeSum(o.agentUrl, 'gc_agent_transient_retries_total');
  const faultsBefore = await sumOver(o.relayUrls, 'gc_relay_faults_injected_total');
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    say('interrupted: clearing the relay faults');
    void faults.clear().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const n = o.members;
  const expectedPairs = ((n + 1) * n) / 2;
  let group: DemoGroup | undefined;
  let final: ProgressView | undefined;
  let meshMs: number | undefined;
  let contactsMs = 0;
  let messages = { delivered: 0, expected: 0 };
  let failure: Error | undefined;
  try {
    say(`${n} members + a host; relays ${o.relayUrls.join(', ')} at ${Math.round(o.failureRate * 100)}% failures`);
    const host: Party = { name: 'Host', userId: await chat.createUser('Host') };
    const members: Party[] = await Promise.all(
      Array.from({ length: n }, async (_, i) => ({ name: `Member ${i + 1}`, userId: await chat.createUser(`Member ${i + 1}`) })),
    );
    await faults.set({ failureRate: o.failureRate });
    say(`faults injected (failureRate ${o.failureRate}); connecting the host with each member as contacts`);
    const contactsStarted = Date.now();
    const contactIds = new Map(await Promise.all(members.map(async (m) => [m.userId, await connectContact(chat, host, m, deadline)] as const)));
    contactsMs = Date.now() - contactsStarted;
    say(`contacts connected in ${seconds(contactsMs)}; creating the group, adding and joining everyone`);
    group = { groupId: await chat.createGroup(host.userId, 'Demo group'), host, members };
    const meshStarted = Date.now();
    let joinsFailed = false;
    const joins = joinEveryone(chat, group, contactIds, deadline).catch((err) => {
      joinsFailed = true;
      throw err;
    });
    const [, progress] = await Promise.all([joins, watchProgress(chat, group, expectedPairs, meshStarted, deadline, () => joinsFailed || interrupted)]);
    final = progress;
    meshMs = Date.now() - meshStarted;
    say(`full mesh: ${expectedPairs} pairs in ${seconds(meshMs)}; every member sends one message`);
    messages = await exchangeMessages(chat, group, Math.min(deadline, Date.now() + 120_000));
    await waitForOutboxDrained(chat, [host, ...members], Math.min(deadline, Date.now() + 15_000));
  } catch (err) {
    failure = err as Error;
  } finally {
    await faults.clear().catch((err) => say(`could not clear the relay faults: ${(err as Error).message}`));
    say('relay faults cleared');
  }

  if (group && !final) final = await chat.progress(group.host.userId, group.groupId).catch(() => undefined);
  const parties = group ? [group.host, ...group.members] : [];
  const commands = (await Promise.all(parties.map((p) => chat.commands(p.userId).catch(() => [])))).flat();
  const byStatus = (s: string) => commands.filter((c) => c.status === s).length;
  const retriesAfter = await scrapeSum(o.agentUrl, 'gc_agent_transient_retries_total');
  const faultsAfter = await sumOver(o.relayUrls, 'gc_relay_faults_injected_total');
  const delta = (a?: number, b?: number) => (a === undefined || b === undefined ? 'n/a (no /metrics)' : String(b - a));

  process.stdout.write(
    `\n${resultTable([
      ['members', `host + ${n}`],
      ['relay failure rate', `${Math.round(o.failureRate * 100)}% on ${o.relayUrls.length} relay(s)`],
      ['contacts connected in', seconds(contactsMs)],
      ['time to full mesh', meshMs === undefined ? 'not reached' : seconds(meshMs)],
      ['pairs connected', final ? `${final.pairsConnected}/${expectedPairs}` : 'n/a'],
      ['commands', `${commands.length} (${byStatus('completed')} completed, ${byStatus('pending')} pending, ${byStatus('failed')} failed)`],
      ['agent retries (transient)', delta(retriesBefore, retriesAfter)],
      ['faults injected by relays', delta(faultsBefore, faultsAfter)],
      ['messages delivered', `${messages.delivered}/${messages.expected}`],
    ])}\n`,
  );
  if (failure) {
    say(`did not finish: ${failure.message}`);
    for (const s of final?.stuck.slice(0, 10) ?? []) say(`  stuck: ${s.memberId} ↔ ${s.peerMemberId} at ${s.step} since ${s.since}${s.lastError ? ` (${s.lastError})` : ''}`);
    return 1;
  }
  return messages.delivered === messages.expected ? 0 : 1;
}

let options: DemoOptions;
try {
  options = parseDemoOptions(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
run(options).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`demo | ${err.message}\n`);
    process.exit(1);
  },
);
