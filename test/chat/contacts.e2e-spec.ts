import { ChatStack, connectContacts, startChatStack, STACK_TIMEOUT_MS } from '../support/chat-stack';

describe('chat: contacts through the API', () => {
  let stack: ChatStack;

  beforeAll(async () => {
    stack = await startChatStack({ label: 'chat-contacts', relays: 1 });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, STACK_TIMEOUT_MS);

  it('two users become contacts: both connected, each sees the other\'s displayName', async () => {
    const { api } = stack;
    const alice = await api.createUser('Alice');
    const bob = await api.createUser('Bob');
    const started = Date.now();
    const { onA, onB } = await connectContacts(api, alice, bob);
    console.log(`contacts connected in ${Date.now() - started} ms`);
    expect(await api.contact(alice, onA)).toMatchObject({ contactId: onA, status: 'connected', displayName: 'Bob' });
    expect(await api.contact(bob, onB)).toMatchObject({ contactId: onB, status: 'connected', displayName: 'Alice' });
    for (const u of [alice, bob]) {
      expect(await api.commands(u, 'failed')).toEqual([]);
      expect(await api.commands(u, 'pending')).toEqual([]);
    }
  });
});
