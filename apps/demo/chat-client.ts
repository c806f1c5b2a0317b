/** The few calls of the chat HTTP API (docs/architecture.md) the demo makes; any non-2xx answer throws with its body. */
export interface ProgressView {
  pairsConnected: number;
  pairsTotal: number;
  members: Array<{ memberId: string; displayName: string; status: string; connected: boolean }>;
  stuck: Array<{ memberId: string; peerMemberId: string; step: string; since: string; attempts: number; lastError: string | null }>;
}

export class ChatClient {
  /** Each user's bearer token (POST /users shows it once); sent on that user's /users/:u/... calls. */
  private readonly tokens = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async health(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  async createUser(displayName: string): Promise<string> {
    const { userId, token } = await this.call<{ userId: string; token: string }>('POST', '/users', { displayName });
    this.tokens.set(userId, token);
    return userId;
  }
  async createInvitation(userId: string): Promise<string> {
    return (await this.call<{ contactId: string }>('POST', `/users/${userId}/invitations`)).contactId;
  }
  contact(userId: string, contactId: string) {
    return this.call<{ contactId: string; status: string; invitation?: string }>('GET', `/users/${userId}/contacts/${contactId}`);
  }
  async joinContact(userId: string, invitation: string): Promise<string> {
    return (await this.call<{ contactId: string }>('POST', `/users/${userId}/contacts`, { invitation })).contactId;
  }
  async createGroup(userId: string, name: string): Promise<string> {
    return (await this.call<{ groupId: string }>('POST', `/users/${userId}/groups`, { name })).groupId;
  }
  groups(userId: string) {
    return this.call<Array<{ groupId: string; membership: string; hostMemberId: string }>>('GET', `/users/${userId}/groups`);
  }
  async addMember(userId: string, groupId: string, contactId: string): Promise<string> {
    return (await this.call<{ memberId: string }>('POST', `/users/${userId}/groups/${groupId}/members`, { contactId })).memberId;
  }
  async joinGroup(userId: string, groupId: string): Promise<void> {
    await this.call('POST', `/users/${userId}/groups/${groupId}/join`);
  }
  progress(userId: string, groupId: string) {
    return this.call<ProgressView>('GET', `/users/${userId}/groups/${groupId}/progress`);
  }
  async sendMessage(userId: string, groupId: string, text: string): Promise<string> {
    return (await this.call<{ messageId: string }>('POST', `/users/${userId}/groups/${groupId}/messages`, { text })).messageId;
  }
  /** Every message of the group (the API pages them). */
  messages(userId: string, groupId: string) {
    return this.allPages<{ messageId: string; fromMemberId: string; text: string }>(`/users/${userId}/groups/${groupId}/messages`, (m) => m.messageId);
  }
  /** Every command of the user (the API pages them). */
  commands(userId: string) {
    return this.allPages<{ corrId: string; function: string; status: string; attempts: number; lastError: string | null }>(`/users/${userId}/commands`, (c) => c.corrId);
  }

  /** A paged list followed to its end: pages of 1,000, each after the last id of the one before. */
  private async allPages<T>(path: string, idOf: (item: T) => string): Promise<T[]> {
    const all: T[] = [];
    for (;;) {
      const after = all.length ? `&after=${encodeURIComponent(idOf(all[all.length - 1]))}` : '';
      const page = await this.call<T[]>('GET', `${path}?limit=1000${after}`);
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = this.tokens.get(/^\/users\/([^/?]+)\//.exec(path)?.[1] ?? '');
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
