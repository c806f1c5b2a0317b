import { ChatClient } from './chat-client';

export interface Party {
  name: string;
  userId: string;
}

export interface DemoGroup {
  groupId: string;
  host: Party;
  members: Party[];
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(what: string, deadline: number, check: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The host invites a member as a contact; the member joins the invitation; both see it connected. */
export async function connectContact(chat: ChatClient, host: Party, member: Party, deadline: number): Promise<string> {
  const contactId = await chat.createInvitation(host.userId);
  const invitation = await until(`${host.name}'s invitation for ${member.name}`, deadline, async () => (await chat.contact(host.userId, contactId)).invitation);
  await chat.joinContact(member.userId, invitation);
  await until(`${host.name} and ${member.name} connected as contacts`, deadline, async () =>
    (await chat.contact(host.userId, contactId)).status === 'connected' ? true : undefined,
  );
  return contactId;
}

/** The host adds every contact to the group; each member joins as soon as its invitation arrives. */
export async function joinEveryone(chat: ChatClient, group: DemoGroup, contactIds: Map<string, string>, deadline: number): Promise<void> {
  await Promise.all(
    group.members.map(async (m) => {
      await chat.addMember(group.host.userId, group.groupId, contactIds.get(m.userId)!);
      await until(`${m.name} receives the group invitation`, deadline, async () =>
        (await chat.groups(m.userId)).some((g) => g.groupId === group.groupId && g.membership === 'invited') ? true : undefined,
      );
      await chat.joinGroup(m.userId, group.groupId);
    }),
  );
}

/** Every party sends one message; returns how many copies arrived out of how many expected. */
export async function exchangeMessages(chat: ChatClient, group: DemoGroup, deadline: number): Promise<{ delivered: number; expected: number }> {
  const parties = [group.host, ...group.members];
  const sent = await Promise.all(parties.map(async (p) => chat.sendMessage(p.userId, group.groupId, `hello from ${p.name}`)));
  const expected = sent.length * (parties.length - 1);
  const count = async () => {
    let delivered = 0;
    for (const p of parties) {
      const got = new Set((await chat.messages(p.userId, group.groupId)).map((m) => m.messageId));
      delivered += sent.filter((id) => got.has(id)).length - 1; // its own message is not a delivery
    }
    return delivered;
  };
  try {
    await until('every message delivered to every member', deadline, async () => ((await count()) === expected ? true : undefined), 500);
  } catch {
    // Reported as delivered/expected below; the table shows what is missing.
  }
  return { delivered: await count(), expected };
}

/**
 * After the last message, its receivers' ACKs are still on their way to the agent: waits (bounded)
 * until no party has a pending command, so the table shows the settled outbox, not a snapshot of
 * the last few milliseconds. What is still pending at the deadline is shown as pending.
 */
export async function waitForOutboxDrained(chat: ChatClient, parties: Party[], deadline: number): Promise<void> {
  const pending = async () => (await Promise.all(parties.map((p) => chat.commands(p.userId)))).flat().filter((c) => c.status === 'pending').length;
  await until('no command pending', deadline, async () => ((await pending()) === 0 ? true : undefined), 250).catch(() => undefined);
}
