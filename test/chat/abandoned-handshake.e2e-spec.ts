import { randomBytes } from 'node:crypto';
import { encodeInvitation } from '@gc/contracts';
import { relayApi } from '../relay/relay-fixture';
import { eventually } from '../support/eventually';
import { ChatStack, connectContacts, startChatStack, STACK_TIMEOUT_MS } from '../support/chat-stack';

/**
 * No silent dead end: a JOIN whose inviter never answers (a queue on one of our relays that nobody
 * reads: the inviter gone for good) is given up after HANDSHAKE_TIMEOUT_MS — the contact shows
 * failed with the reason — instead of waiting, and being re-subscribed, for ever.
 */
describe('chat: a handshake whose peer never answers is given up', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-abandoned', relays: 1, chatEnv: { HANDSHAKE_TIMEOUT_MS: '3000' } });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('the joiner of a silent inviter fails with the reason; a handshake that completes is untouched', async () => {
    const { api } = stack;
    const relay = stack.relays[0].url;
    const created = await relayApi(relay).createQueue();
    expect(created.status).toBe(201);
    const invitation = encodeInvitation({ v: 2, relay, senderId: (created.body as { senderId: string }).senderId, dhKey: randomBytes(32).toString('base64url') });
    const carol = await api.createUser('Carol');
    const contactId = await api.joinContact(carol, invitation);
    // Our side did its part (the JOIN's confirmation is at the relay) and then nobody answers.
    await eventually(async () => (await api.commands(carol, 'completed')).some((c) => c.function === 'JOIN_CONTACT'), { what: 'the JOIN done' });
    await eventually(async () => (await api.contact(carol, contactId)).status === 'failed', { timeoutMs: 30_000, what: 'the abandoned handshake given up' });
    // A pair that answers in time is not touched by the deadline.
    const [alice, bob] = [await api.createUser('Alice'), await api.createUser('Bob')];
    const pair = await connectContacts(api, alice, bob);
    expect((await api.contact(alice, pair.onA)).status).toBe('connected');
    expect(await api.commands(carol, 'failed')).toEqual([]);
  });
});
