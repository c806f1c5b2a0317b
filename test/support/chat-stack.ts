import { randomBytes } from 'node:crypto';
import { eventually } from './eventually';
import { freePort } from './free-port';
import { RELAY_TEST_ADMIN_TOKEN, RelayFaults, setRelayFaults } from './relay-admin';
import { readFileSync } from 'node:fs';
import { AppName, ServiceProcess, startService as startServiceOnce } from './service-process';
import { SHARED_REDIS_URL, TestDatabase, createTestDatabase, dropKeys, dropQueueKeys, testQueuePrefix, uniqueSuffix } from './test-isolation';

/**
 * The whole system for one chat test file: relays, one agent and the chat as real built processes,
 * on a private database and queue prefix, with a small typed client of the chat's HTTP API.
 * (It starts the relays and agent itself rather than through agent-stack, whose test-side collector
 * of agent-events would compete with the chat for the events.)
 */
export interface ChatStackOptions {
  label: string;
  relays?: number;
  redisUrl?: string;
  /** The relays' storage; the queue Redis by default. */
  relayRedisUrl?: string;
  chatEnv?: Record<string, string>;
  agentEnv?: Record<string, string>;
  relayEnv?: Record<string, string>;
  /** Where the agent and chat reach Postgres and the relays, e.g. through a TcpProxy (the test keeps direct URLs). */
  via?: { database?: (url: string) => Promise<string>; relay?: (url: string) => Promise<string> };
}

export interface ChatStackRelay {
  name: string;
  url: string;
  process: ServiceProcess;
  setFaults(faults: RelayFaults): Promise<void>;
}

export interface ChatStack {
  label: string;
  prefix: string;
  redisUrl: string;
  db: TestDatabase;
  relays: ChatStackRelay[];
  agent: ServiceProcess;
  chat: ServiceProcess;
  api: ChatApi;
  /** Stops the agent (SIGTERM) and starts it again with `between` run while it is down. */
  withAgentDown(between: () => Promise<void>): Promise<void>;
  /** Kills the agent (SIGKILL: no graceful end of its jobs) and starts it again with `between` run while it is down. */
  withAgentKilled(between: () => Promise<void>): Promise<void>;
  /** Starts the chat again (after kill9/stop) on the same port, database and prefix. */
  restartChat(): Promise<void>;
  /** Starts one more chat replica (same database, prefix and relays, its own port), stopped with the stack. */
  addChat(): Promise<ServiceProcess>;
  /** Starts one more agent replica (same database, prefix and relays, its own port), stopped with the stack. */
  addAgent(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * startService, tolerating a dist/ being rebuilt by a concurrent `npm run build` on the same
 * checkout (the process then dies at once with MODULE_NOT_FOUND): it is started again.
 */
async function startService(app: AppName, label: string, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServiceOnce(app, label, port, env, { healthTimeoutMs: 90_000 });
    } catch (err) {
      const log = (() => {
        try {
          return readFileSync(`${__dirname}/../../test-output/${label}.log`, 'utf8');
        } catch {
          return '';
        }
      })();
      if (attempt >= 5 || !/exited with/.test(String(err)) || !log.includes('MODULE_NOT_FOUND')) throw err;
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }
}

/** Booting four apps on a busy 2-core machine can take a while; a suite's beforeAll/afterAll allow this. */
export const STACK_TIMEOUT_MS = 240_000;

/** A group test's own deadline: its waits are bounded by eventually(); this only has to exceed them. */
export const GROUP_TEST_TIMEOUT_MS = 420_000;

export const TEST_RECONCILE_ENV = { RECONCILE_INTERVAL_MS: '500', RECONCILE_STALE_MS: '3000' };

export async function startChatStack(opts: ChatStackOptions): Promise<ChatStack> {
  const label = opts.label;
  const redisUrl = opts.redisUrl ?? SHARED_REDIS_URL;
  const prefix = testQueuePrefix(label);
  const db = await createTestDatabase(label);
  const relays: ChatStackRelay[] = [];
  const processes: ServiceProcess[] = [];
  let chat: ServiceProcess | undefined;
  const stop = async () => {
    await Promise.allSettled([chat?.stop(), ...processes.map((p) => p.stop())]);
    await dropQueueKeys(redisUrl, prefix).catch(() => undefined);
    await Promise.allSettled(relays.map((r) => dropKeys(opts.relayRedisUrl ?? redisUrl, `relay:${r.name}:*`)));
    await db.drop();
  };
  try {
    // Started side by side: on 2 cores, booting the apps one after the other is most of a suite's time.
    const relayStarts = await Promise.allSettled(
      Array.from({ length: opts.relays ?? 2 }, async (_, i) => {
        const name = `t-${label}-relay${i}-${uniqueSuffix()}`;
        const process = await startService('relay', `${label}-relay${i}`, await freePort(), {
          RELAY_REDIS_URL: opts.relayRedisUrl ?? redisUrl,
          REDIS_URL: redisUrl,
          RELAY_NAME: name,
          RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN,
          ...opts.relayEnv,
        });
        processes.push(process);
        relays[i] = { name, url: process.url, process, setFaults: (f) => setRelayFaults(process.url, RELAY_TEST_ADMIN_TOKEN, f).then(() => undefined) };
      }),
    );
    for (const r of relayStarts) if (r.status === 'rejected') throw r.reason;
    const agentPort = await freePort();
    const serviceDbUrl = opts.via?.database ? await opts.via.database(db.url) : db.url;
    const serviceRelayUrls = await Promise.all(relays.map((r) => (opts.via?.relay ? opts.via.relay(r.url) : r.url)));
    const agentEnv = {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: serviceDbUrl,
      RELAY_URLS: serviceRelayUrls.join(','),
      RELAY_TIMEOUT_MS: '1000',
      RETRY_BASE_MS: '100',
      RETRY_FACTOR: '1.5',
      RETRY_MAX_MS: '1000',
      ...opts.agentEnv,
    };
    const chatPort = await freePort();
    const chatEnv = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, DATABASE_URL: serviceDbUrl, RELAY_URLS: agentEnv.RELAY_URLS, ...TEST_RECONCILE_ENV, ...opts.chatEnv };
    // Different schemas of one database: agent and chat migrate independently.
    const [agentStart, chatStart] = await Promise.allSettled([
      startService('agent', `${label}-agent`, agentPort, agentEnv),
      startService('chat', `${label}-chat`, chatPort, chatEnv),
    ]);
    if (agentStart.status === 'fulfilled') processes.push(agentStart.value);
    if (chatStart.status === 'fulfilled') chat = chatStart.value;
    if (agentStart.status === 'rejected') throw agentStart.reason;
    if (chatStart.status === 'rejected') throw chatStart.reason;
    let agent = agentStart.value;
    const api = new ChatApi(chatStart.value.url);
    const stack: ChatStack = {
      label,
      prefix,
      redisUrl,
      db,
      relays,
      agent,
      chat: chatStart.value,
      api,
      async withAgentDown(between) {
        await agent.stop();
        await between();
        processes.splice(processes.indexOf(agent), 1);
        agent = await startService('agent', `${label}-agent`, agentPort, agentEnv);
        processes.push(agent);
        stack.agent = agent;
      },
      async withAgentKilled(between) {
        await agent.kill9();
        await between();
        processes.splice(processes.indexOf(agent), 1);
        agent = await startService('agent', `${label}-agent`, agentPort, agentEnv);
        processes.push(agent);
        stack.agent = agent;
      },
      async restartChat() {
        await chat?.stop();
        chat = await startService('chat', `${label}-chat`, chatPort, chatEnv);
        stack.chat = chat;
      },
      async addChat() {
        const replica = await startService('chat', `${label}-chat${processes.length}`, await freePort(), chatEnv);
        processes.push(replica);
        return replica;
      },
      async addAgent() {
        const replica = await startService('agent', `${label}-agent${processes.length}`, await freePort(), agentEnv);
        processes.push(replica);
        return replica;
      },
      stop,
    };
    return stack;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface ContactView {
  contactId: string;
  displayName?: string;
  status: string;
  invitation?: string;
}
export interface GroupView {
  groupId: string;
  name: string;
  membership: string;
  hostMemberId: string;
}
export interface MemberView {
  memberId: string;
  displayName: string;
  status: string;
  connected: boolean;
}
export interface MessageView {
  messageId: string;
  fromMemberId: string;
  text: string;
  at: string;
}
export interface CommandView {
  corrId: string;
  function: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

/**
 * Small typed functions over fetch; each throws on an unexpected status. It keeps the token of each
 * user it created and sends it on that user's paths (`/users/:u/...`), as a client would.
 */
export class ChatApi {
  private readonly tokens = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** A client of another chat replica that knows the same users' tokens. */
  at(baseUrl: string): ChatApi {
    const other = new ChatApi(baseUrl);
    for (const [userId, token] of this.tokens) other.tokens.set(userId, token);
    return other;
  }

  /** The bearer token POST /users gave this user (through this client). */
  tokenOf(userId: string): string {
    const token = this.tokens.get(userId);
    if (!token) throw new Error(`no token known for user ${userId}`);
    return token;
  }

  /** `token`: undefined = the path's user's own (if known), null = none, a string = that one. */
  async request<T = unknown>(method: string, path: string, body?: unknown, raw?: string, token?: string | null): Promise<HttpAnswer<T>> {
    const bearer = token === undefined ? this.tokens.get(/^\/users\/([^/?]+)\//.exec(path)?.[1] ?? '') : token;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  createUser = async (displayName: string) => {
    const { userId, token } = await this.expect<{ userId: string; token: string }>(201, 'POST', '/users', { displayName });
    this.tokens.set(userId, token);
    return userId;
  };
  createInvitation = async (u: string) => (await this.expect<{ contactId: string }>(202, 'POST', `/users/${u}/invitations`)).contactId;
  joinContact = async (u: string, invitation: string) =>
    (await this.expect<{ contactId: string }>(202, 'POST', `/users/${u}/contacts`, { invitation })).contactId;
  contacts = (u: string) => this.expect<ContactView[]>(200, 'GET', `/users/${u}/contacts`);
  contact = (u: string, c: string) => this.expect<ContactView>(200, 'GET', `/users/${u}/contacts/${c}`);
  createGroup = async (u: string, name: string) => (await this.expect<{ groupId: string }>(201, 'POST', `/users/${u}/groups`, { name })).groupId;
  addMember = async (u: string, g: string, contactId: string) =>
    (await this.expect<{ memberId: string }>(202, 'POST', `/users/${u}/groups/${g}/members`, { contactId })).memberId;
  groups = (u: string) => this.expect<GroupView[]>(200, 'GET', `/users/${u}/groups`);
  joinGroup = (u: string, g: string) => this.expect<unknown>(202, 'POST', `/users/${u}/groups/${g}/join`);
  members = (u: string, g: string) => this.expect<MemberView[]>(200, 'GET', `/users/${u}/groups/${g}/members`);
  removeMember = (u: string, g: string, memberId: string) => this.expect<unknown>(202, 'DELETE', `/users/${u}/groups/${g}/members/${memberId}`);
  leaveGroup = (u: string, g: string) => this.expect<unknown>(202, 'POST', `/users/${u}/groups/${g}/leave`);
  sendMessage = async (u: string, g: string, text: string) =>
    (await this.expect<{ messageId: string }>(202, 'POST', `/users/${u}/groups/${g}/messages`, { text })).messageId;
  /** Every message of the group, oldest first (the API pages them: read `pageSize` at a time to the end). */
  messages = (u: string, g: string, pageSize = 1000) =>
    this.allPages<MessageView>(`/users/${u}/groups/${g}/messages`, {}, (m) => m.messageId, pageSize);
  /** Every command of the user, oldest first (the API pages them). */
  commands = (u: string, status?: string) => this.allPages<CommandView>(`/users/${u}/commands`, status ? { status } : {}, (c) => c.corrId);

  /** A paged list (`limit`, and `after` = the last id of the previous page), followed to its end. */
  private async allPages<T>(path: string, query: Record<string, string>, idOf: (item: T) => string, pageSize = 1000): Promise<T[]> {
    const all: T[] = [];
    for (;;) {
      const params = new URLSearchParams({ ...query, limit: String(pageSize), ...(all.length ? { after: idOf(all[all.length - 1]) } : {}) });
      const page = await this.expect<T[]>(200, 'GET', `${path}?${params}`);
      all.push(...page);
      if (page.length < pageSize) return all;
    }
  }
}

export interface Party {
  name: string;
  userId: string;
  /** This user's contact id for the host (members) — unused for the host itself. */
  memberId?: string;
}

/** Two users become contacts through the API; resolves with each side's contactId once both are connected. */
export async function connectContacts(api: ChatApi, a: string, b: string, timeoutMs = 60_000): Promise<{ onA: string; onB: string }> {
  const onA = await api.createInvitation(a);
  const invitation = await eventually(async () => (await api.contact(a, onA)).invitation, { timeoutMs, what: 'contact invitation' });
  const onB = await api.joinContact(b, invitation);
  await eventually(
    async () => (await api.contact(a, onA)).status === 'connected' && (await api.contact(b, onB)).status === 'connected',
    { timeoutMs, what: `contact ${a} ↔ ${b} connected` },
  );
  return { onA, onB };
}

export interface GroupSetup {
  groupId: string;
  host: Party;
  members: Array<Party & { memberId: string }>;
  /** Every party, host first, each with its memberId. */
  all: Array<Party & { memberId: string }>;
}

/**
 * Host creates a group, becomes a contact of every member, adds them and each member joins once
 * its invitation arrives — one after the other, or all at once with `concurrentJoins`. The last
 * `unjoined` members are invited but left to the test to join (e.g. while the agent is down, so
 * that work is in flight by construction rather than by timing).
 */
export async function setUpGroup(
  api: ChatApi,
  hostName: string,
  memberNames: string[],
  opts: { concurrentJoins?: boolean; unjoined?: number; timeoutMs?: number; beforeJoins?: (setup: GroupSetup) => Promise<void> } = {},
): Promise<GroupSetup> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const hostId = await api.createUser(hostName);
  const groupId = await api.createGroup(hostId, `${hostName}'s group`);
  const hostMemberId = (await api.groups(hostId))[0].hostMemberId;
  const members: Array<Party & { memberId: string }> = [];
  await Promise.all(
    memberNames.map(async (name) => {
      const userId = await api.createUser(name);
      const { onA } = await connectContacts(api, hostId, userId, timeoutMs);
      const memberId = await api.addMember(hostId, groupId, onA);
      members.push({ name, userId, memberId });
    }),
  );
  members.sort((a, b) => memberNames.indexOf(a.name) - memberNames.indexOf(b.name));
  const invited = async (m: Party) =>
    eventually(async () => (await api.groups(m.userId)).some((g) => g.groupId === groupId && g.membership === 'invited'), {
      timeoutMs,
      what: `${m.name} sees the invitation`,
    });
  await Promise.all(members.map(invited));
  const host = { name: hostName, userId: hostId, memberId: hostMemberId };
  const setup = { groupId, host, members, all: [host, ...members] };
  await opts.beforeJoins?.(setup);
  const joining = members.slice(0, members.length - (opts.unjoined ?? 0));
  if (opts.concurrentJoins) await Promise.all(joining.map((m) => api.joinGroup(m.userId, groupId)));
  else {
    for (const m of joining) {
      await api.joinGroup(m.userId, groupId);
      await eventually(async () => (await api.groups(m.userId)).find((g) => g.groupId === groupId)?.membership === 'connected', {
        timeoutMs,
        what: `${m.name} connected to the host`,
      });
    }
  }
  return setup;
}

/** Waits until every party sees every other as `connected` with connected: true, and has a connected contact for it. */
/** Waits until no party has a failed or pending command: the outbox is drained and nothing failed. */
export async function waitForNoCommandLeft(api: ChatApi, parties: Array<{ userId: string }>, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      for (const p of parties) {
        expect(await api.commands(p.userId, 'failed')).toEqual([]);
        expect(await api.commands(p.userId, 'pending')).toEqual([]);
      }
      return true;
    },
    { timeoutMs, what: 'no failed or pending command' },
  );
}

export async function waitForGroupConverged(api: ChatApi, setup: GroupSetup, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  await eventually(
    async () => {
      for (const p of setup.all) {
        const members = await api.members(p.userId, setup.groupId);
        for (const other of setup.all) {
          if (other.userId === p.userId) continue;
          const m = members.find((x) => x.memberId === other.memberId);
          if (!m || m.status !== 'connected' || !m.connected) {
            throw new Error(`${p.name} sees ${other.name} as ${m ? `${m.status}/${m.connected}` : 'absent'}`);
          }
        }
        const contacts = await api.contacts(p.userId);
        const names = new Set(contacts.filter((c) => c.status === 'connected').map((c) => c.displayName));
        for (const other of setup.all) {
          if (other.userId !== p.userId && !names.has(other.name)) throw new Error(`${p.name} has no connected contact ${other.name}`);
        }
      }
      return true;
    },
    { timeoutMs, intervalMs: 250, what: 'group converged' },
  );
  return Date.now() - started;
}

/**
 * Sends `perMember` messages from every party, waits until each arrived at every party exactly once
 * (by message id, sender and text) and nothing else did: each party's count grows by exactly the round.
 */
export async function exchangeGroupMessages(api: ChatApi, setup: GroupSetup, perMember = 1, timeoutMs = 60_000, label = 'group messages'): Promise<number> {
  const started = Date.now();
  // Counted before, so a group that already has messages must grow by exactly this round: nothing else arrives.
  const countsBefore = new Map<string, number>();
  for (const p of setup.all) countsBefore.set(p.userId, (await api.messages(p.userId, setup.groupId)).length);
  const sent: Array<{ from: Party & { memberId: string }; messageId: string; text: string }> = [];
  for (const p of setup.all) {
    for (let i = 0; i < perMember; i++) {
      const text = `${label}: ${p.name} says ${i} ${randomBytes(3).toString('hex')}`;
      sent.push({ from: p, messageId: await api.sendMessage(p.userId, setup.groupId, text), text });
    }
  }
  await eventually(
    async () => {
      for (const p of setup.all) {
        const got = await api.messages(p.userId, setup.groupId);
        for (const s of sent) {
          const copies = got.filter((m) => m.messageId === s.messageId);
          if (copies.length !== 1) throw new Error(`${p.name} has ${copies.length} copies of "${s.text}"`);
          if (copies[0].fromMemberId !== s.from.memberId || copies[0].text !== s.text) throw new Error(`${p.name} got "${s.text}" wrong`);
        }
        const expected = countsBefore.get(p.userId)! + sent.length;
        if (got.length !== expected) throw new Error(`${p.name} has ${got.length} messages, expected ${expected}`);
      }
      return true;
    },
    { timeoutMs, intervalMs: 250, what: `${label} delivered exactly once` },
  );
  return Date.now() - started;
}

