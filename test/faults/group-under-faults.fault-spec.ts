import Redis from 'ioredis';
import { eventually } from '../support/eventually';
import {
  exchangeGroupMessages,
  GroupSetup,
  setUpGroup,
  STACK_TIMEOUT_MS,
  waitForGroupConverged,
} from '../support/chat-stack';
import { ledgerExclusions, readLedger, terminateBackends } from './fault-ledger';
import { FaultStack, startFaultStack } from './fault-stack';
import { badInputCases, INVALID_INVITATIONS, malformedCommandJobs, malformedEventJobs } from './bad-input-corpus';
import { checkSecurity } from './security-checks';

const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'];
const RELAY_OUTAGE_MS = 30_000;

/**
 * One group of 8 (host + 7) joining concurrently over two relays at 30% faults, with two agents
 * and two chats (case 7) all along; each fault is applied at a moment chosen from the system's
 * own state, and every case ends on the same invariants (assertInvariants).
 */
describe('faults: an 8-member group at 30% relay faults, two agents and two chats', () => {
  let f: FaultStack;
  let setup: GroupSetup;
  const log = (msg: string) => console.log(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}`);

  beforeAll(async () => {
    f = await startFaultStack('faults');
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await f?.stop();
  }, STACK_TIMEOUT_MS);

  /** Every member connected to every other, a round of messages exactly once, the ledger clean. */
  let notConverged: string | undefined;
  async function assertInvariants(what: string): Promise<void> {
    const { api } = f.stack;
    // A group that did not converge once will not by itself: later cases fail at once, not after 4 min each.
    if (notConverged) throw new Error(`the group did not converge ${notConverged}; not waiting again`);
    try {
      await waitForGroupConverged(api, setup, 240_000);
    } catch (err) {
      notConverged = what;
      throw err;
    }
    // One message from every party, each delivered exactly once, and nothing else arrives.
    await exchangeGroupMessages(api, setup, 1, 120_000, what);
    const ledger = await eventually(
      async () => {
        const l = await readLedger(f.db);
        if (l.pending > 0) throw new Error(`${l.pending} commands still pending`);
        return l;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `${what}: no pending command` },
    );
    expect(ledger.failed).toBe(0);
    expect(ledger.executedTwice).toEqual([]);
    expect(ledger.completedUnexecuted).toBe(0);
    expect(ledger.sentTwice).toEqual([]);
    for (const p of setup.all) expect(await api.commands(p.userId, 'failed')).toEqual([]);
    expect(f.unexpectedExits).toEqual([]);
    for (const proc of [...f.agents(), ...f.chats()]) expect(proc.child.exitCode).toBeNull();
    log(`${what}: converged, messages exactly once, ${ledger.completed} commands completed once each`);
  }

  const completed = async () => (await readLedger(f.db)).completed;
  /** Waits for the run to move on by `n` completed commands, or for it to have nothing left to do. */
  const progressBy = async (n: number, timeoutMs = 60_000) => {
    const from = await completed();
    await eventually(async () => (await completed()) >= from + n || (await readLedger(f.db)).pending === 0, {
      timeoutMs,
      intervalMs: 200,
      what: `${n} more commands completed`,
    });
  };

  /**
   * `during` runs while the chats' event queue is held, with a command just asked for by a user of its
   * own (an invitation, beside the group): pending in the chat until the queue resumes, whatever the
   * group is doing, so a fault aimed at work in flight always has some.
   */
  const withProbeCommandHeld = async (name: string, during: (probeUser: string) => Promise<void>) => {
    await f.events.pause();
    try {
      const probeUser = await f.stack.api.createUser(name);
      await f.stack.api.createInvitation(probeUser);
      await during(probeUser);
    } finally {
      await f.events.resume();
    }
  };

  it(
    'kill -9 of the agents (3 moments), of the chats (2 moments), FLUSHDB, terminated Postgres connections and a relay down 30 s: exactly once',
    async () => {
      const { stack } = f;
      const { api } = stack;
      await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0.3 })));
      const started = Date.now();
      const setupRun = setUpGroup(api, 'Host', MEMBERS, { concurrentJoins: true, timeoutMs: 240_000 });
      setupRun.catch(() => undefined);

      // Case 1a — mid-IO: an agent-commands job is active in an agent when both are killed.
      await eventually(async () => (await f.commands.getActiveCount()) > 0, { timeoutMs: 60_000, intervalMs: 50, what: 'a command in an agent' });
      await f.killAgents();
      log('kill -9 agents while a command was active (mid-IO); restarted');
      // Case 5 — one relay down 30 s while the other works, during the contact handshakes: the
      // connections whose queues are all on the other relay go on (a connection has a queue on each
      // side, so most of them wait); nothing fails, and all resume once it is back.
      const before = await readLedger(f.db);
      const downAt = Date.now();
      await stack.relays[0].setFaults({ down: true });
      try {
        await expect(fetch(`${stack.relays[0].url}/health`, { signal: AbortSignal.timeout(3_000) })).rejects.toThrow();
        await eventually(async () => (await completed()) > before.completed, {
          timeoutMs: RELAY_OUTAGE_MS - 2_000,
          intervalMs: 250,
          what: 'progress over the other relay during the outage',
        });
        // The outage's length is the fault itself, not a wait for a condition.
        await new Promise((r) => setTimeout(r, Math.max(0, RELAY_OUTAGE_MS - (Date.now() - downAt))));
      } finally {
        await stack.relays[0].setFaults({ down: false });
      }
      const during = await readLedger(f.db);
      expect(during.failed).toBe(0);
      log(`relay0 down ${Date.now() - downAt} ms: ${during.completed - before.completed} commands completed meanwhile over relay1, none failed`);

      // Case 1b — after IO, before the chat handled its event: a command completed in the agent
      // while its chat row is still pending. The chats' event queue is held, and a command is asked
      // for only then (an invitation of a user of its own, beside the group), so that state arises
      // and lasts until the kill by construction: neither a fast chat nor an idle moment of the group
      // (whose next commands come from events) can take it away.
      await withProbeCommandHeld('Probe', async (probeUser) => {
        await eventually(
          async () => {
            const { rows } = await f.db.query<{ corr_id: string }>(`SELECT corr_id FROM chat.commands WHERE status = 'pending' AND user_id = $1`, [probeUser]);
            return rows.length > 0 && (await f.commands.getJobState(rows[0].corr_id)) === 'completed';
          },
          { timeoutMs: 90_000, intervalMs: 100, what: 'a command done by the agent, its event not yet handled' },
        );
        await f.killAgents();
      });
      log('kill -9 agents after IO, before the event was handled; restarted');

      setup = await setupRun;
      log(`all joins requested after ${Date.now() - started} ms`);

      // Case 2a — chats killed with continuations in flight (pending commands whose events are coming).
      // By construction, as in 1b: the group may have gone quiet by now (it converged during the relay
      // outage on a fast run); the probe command's completion event waits until the chats are back.
      await withProbeCommandHeld('Probe 2a', async () => {
        await eventually(async () => (await readLedger(f.db)).pending > 0, { timeoutMs: 30_000, intervalMs: 50, what: 'continuations in flight' });
        await f.killChats();
      });
      log('kill -9 chats mid-continuation; restarted');

      // Case 4 — Postgres connections of the test database terminated, three times. Each time with a
      // command of its own just asked for (a probe user's invitation), so the pools hold connections and
      // work is in flight by construction, even if the group has gone quiet by then.
      const probeUser = await api.createUser('Probe 4');
      for (let i = 1; i <= 3; i++) {
        await progressBy(3);
        await api.createInvitation(probeUser);
        const n = await terminateBackends(f.db, stack.db.name);
        expect(n).toBeGreaterThan(0);
        log(`pg_terminate_backend #${i}: ${n} backends`);
      }

      // Case 3 — the queue Redis loses everything; the relays' db survives.
      await progressBy(2);
      const queueRedis = new Redis(f.redis.url(0));
      const relayRedis = new Redis(f.redis.url(1));
      try {
        expect(await queueRedis.dbsize()).toBeGreaterThan(0);
        const relayKeys = await relayRedis.dbsize();
        await queueRedis.flushdb();
        expect(await relayRedis.dbsize()).toBeGreaterThanOrEqual(Math.min(relayKeys, 1));
        expect(relayKeys).toBeGreaterThan(0);
        log(`FLUSHDB on the queue db; relay db kept ${relayKeys} keys`);
      } finally {
        queueRedis.disconnect();
        relayRedis.disconnect();
      }

      // Case 2b and 1c — chats, then agents, killed again while the run recovers from the flush.
      await progressBy(2);
      await f.killChats();
      log('kill -9 chats again; restarted');
      await progressBy(2);
      await f.killAgents();
      log('kill -9 agents a third time; restarted');

      await assertInvariants('after the faults');
      log(`whole run ${Date.now() - started} ms`);
    },
    480_000,
  );

  it('case 6: every event job added twice, and a STATUS handled before its INV: nothing changes twice', async () => {
    const { api } = f.stack;
    const ledgerBefore = await readLedger(f.db);
    const jobs = (await f.events.getJobs(['completed'], 0, -1)).filter((j) => !String(j.id).startsWith('dup-'));
    expect(jobs.length).toBeGreaterThan(20);
    const copies = await Promise.all(jobs.map((j) => f.events.add(j.name, j.data, { jobId: `dup-${j.id}` })));
    await eventually(async () => (await Promise.all(copies.map((c) => f.events.getJobState(c.id!)))).every((s) => s === 'completed'), {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'every copy handled',
    });
    const ledgerAfter = await readLedger(f.db);
    expect(ledgerAfter.completed).toBe(ledgerBefore.completed);
    expect(ledgerAfter.executedTwice).toEqual([]);

    // A STATUS before the INV: hold the events queue, let the agent answer both CREATE (INV) and a
    // SUBSCRIBE (STATUS) of the same connection, then handle the STATUS first and the INV after.
    await f.events.pause();
    try {
      const contactId = await api.createInvitation(setup.host.userId);
      const cmd = await eventually(
        async () =>
          (await f.db.query<{ corr_id: string; conn_id: string }>(`SELECT corr_id, conn_id FROM chat.commands WHERE function = 'CREATE_CONTACT_INVITATION' AND status = 'pending' AND user_id = $1`, [setup.host.userId])).rows[0],
        { what: 'the invitation command' },
      );
      const inv = await eventually(async () => (await f.events.getJob(`r-${cmd.corr_id}`)) ?? undefined, { timeoutMs: 60_000, what: 'the INV waiting' });
      const invData = inv.data;
      await inv.remove();
      const subCorr = `faults-sub-${Date.now()}`;
      await f.commands.add('SUBSCRIBE', { type: 'SUBSCRIBE', corrId: subCorr, userId: setup.host.userId, connIds: [cmd.conn_id] }, { jobId: subCorr });
      const status = await eventually(async () => (await f.events.getJob(`r-${subCorr}-0`)) ?? undefined, { timeoutMs: 60_000, what: 'the STATUS waiting' });
      expect(status.data).toMatchObject({ type: 'STATUS', connId: cmd.conn_id, status: 'invited' });
      await f.events.resume();
      await eventually(async () => (await f.events.getJobState(status.id!)) === 'completed', { what: 'STATUS handled' });
      const again = await f.events.add('INV', invData, { jobId: `late-${inv.id}` });
      await eventually(async () => (await f.events.getJobState(again.id!)) === 'completed', { what: 'late INV handled' });
      expect((await f.events.getJob(again.id!))!.returnvalue).toBe('duplicate');
      const contact = await api.contact(setup.host.userId, contactId);
      expect(contact.invitation).toBe(invData.invitation);
      const { rows } = await f.db.query<{ status: string; executions: number }>(`SELECT status, executions FROM chat.commands WHERE corr_id = $1`, [cmd.corr_id]);
      expect(rows[0]).toEqual({ status: 'completed', executions: 1 });
    } finally {
      await f.events.resume();
    }
    await assertInvariants('after duplicated and reordered events');
  }, 300_000);

  it('case 8: malformed HTTP bodies on every endpoint get 4xx {error, message}; malformed jobs fail with a reason; no process exits', async () => {
    const { stack } = f;
    await Promise.all(stack.relays.map((r) => r.setFaults({ failureRate: 0 })));
    const cases = badInputCases({ chatUrl: stack.api.baseUrl, relayUrl: stack.relays[0].url, setup, hostToken: stack.api.tokenOf(setup.host.userId) });
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await fetch(c.url, { method: c.method, headers: { 'content-type': 'application/json', ...c.headers }, body: c.body, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let body: { error?: unknown; message?: unknown } = {};
      try {
        body = JSON.parse(text);
      } catch {
        /* reported below */
      }
      const ok = res.status >= 400 && res.status < 500 && typeof body.error === 'string' && typeof body.message === 'string' && body.message.length > 0;
      if (!ok || (c.status && res.status !== c.status)) wrong.push(`${c.name}: ${res.status} ${text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    log(`${cases.length} malformed requests refused with 4xx {error, message}`);

    // A forged invitation is refused where it arrives (the API's rules, docs/architecture.md): a 400 with the reason, nothing stored.
    const eve = await stack.api.createUser('Eve');
    ledgerExclusions.add(eve);
    for (const invitation of INVALID_INVITATIONS) {
      const answer = await stack.api.request<{ error: string; message: string }>('POST', `/users/${eve}/contacts`, { invitation });
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 400, error: 'bad_request' });
      expect(answer.body.message).toMatch(/invitation/);
    }
    expect(await stack.api.commands(eve)).toEqual([]);

    const added = [
      ...(await Promise.all(malformedCommandJobs().map((j) => f.commands.add(j.name, j.data, { jobId: j.id })))),
      ...(await Promise.all(malformedEventJobs().map((j) => f.events.add(j.name, j.data, { jobId: j.id, attempts: 3 })))),
    ];
    for (const job of added) {
      const queue = job.queueName.endsWith('commands') ? f.commands : f.events;
      const reason = await eventually(async () => (await queue.getJobState(job.id!)) === 'failed' && (await queue.getJob(job.id!))!.failedReason, {
        timeoutMs: 60_000,
        what: `${job.queueName} ${job.id} failed`,
      });
      expect(reason.length).toBeGreaterThan(5);
    }
    log(`${added.length} malformed jobs failed with a reason`);
    await assertInvariants('after bad input');
  }, 300_000);

  it('case 9: signatures, unguessable ids, admin and Bull Board credentials, other users’ data, npm audit', async () => {
    await Promise.all(f.stack.relays.map((r) => r.setFaults({ failureRate: 0 })));
    await checkSecurity(f, setup, log);
    await assertInvariants('after the security probes');
  }, 300_000);
});
