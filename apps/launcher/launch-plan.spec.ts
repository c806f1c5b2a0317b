import { LAUNCHER_DEFAULT_DATABASE_URL, planLaunch } from './launch-plan';

describe('planLaunch', () => {
  it('runs two relays, the agent on both relays and the chat on the default ports', () => {
    const plan = planLaunch({ PATH: '/usr/bin' });
    expect(plan.services.map((s) => [s.name, s.app, s.port])).toEqual([
      ['relay-a', 'relay', 4000],
      ['relay-b', 'relay', 4001],
      ['agent', 'agent', 3001],
      ['chat', 'chat', 3000],
    ]);
    const [relayA, relayB, agent, chat] = plan.services;
    expect(relayA.env).toMatchObject({ PORT: '4000', RELAY_NAME: 'relay-a', PATH: '/usr/bin' });
    expect(relayB.env).toMatchObject({ PORT: '4001', RELAY_NAME: 'relay-b' });
    expect(agent.env.RELAY_URLS).toBe('http://127.0.0.1:4000,http://127.0.0.1:4001');
    expect(chat.env.RELAY_URLS).toBe(agent.env.RELAY_URLS);
    expect(chat.env.DATABASE_URL).toBe(LAUNCHER_DEFAULT_DATABASE_URL);
    expect(chat.links.map((l) => l.path)).toEqual(expect.arrayContaining(['/queues', '/docs']));
    expect(plan.shutdownTimeoutMs).toBe(20_000);
  });

  it('takes ports, relay names and the database from the environment and keeps launcher vars away from the apps', () => {
    const plan = planLaunch({
      RELAY_PORTS: '5000, 5001,5002',
      RELAY_NAMES: 'x,y,z',
      AGENT_PORT: '5003',
      CHAT_PORT: '5004',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mine',
      QUEUE_PREFIX: '{mine}',
    });
    expect(plan.services.map((s) => `${s.name}:${s.port}`)).toEqual(['x:5000', 'y:5001', 'z:5002', 'agent:5003', 'chat:5004']);
    const agent = plan.services[3];
    expect(agent.env.RELAY_URLS.split(',')).toHaveLength(3);
    expect(agent.env).toMatchObject({ QUEUE_PREFIX: '{mine}', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mine' });
    for (const s of plan.services) {
      expect(Object.keys(s.env)).not.toEqual(expect.arrayContaining(['RELAY_PORTS']));
      expect(s.env.AGENT_PORT).toBeUndefined();
      expect(s.env.CHAT_PORT).toBeUndefined();
      expect(s.env.RELAY_NAMES).toBeUndefined();
    }
  });

  it('lists every bad variable in one error', () => {
    expect(() =>
      planLaunch({ RELAY_PORTS: '4000,abc', AGENT_PORT: '70000', CHAT_PORT: '4000', RELAY_NAMES: 'only-one', SHUTDOWN_TIMEOUT_MS: '-1' }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/RELAY_PORTS: "abc"[\s\S]*RELAY_NAMES[\s\S]*AGENT_PORT: "70000"[\s\S]*SHUTDOWN_TIMEOUT_MS[\s\S]*ports used twice: 4000/),
      }),
    );
  });
});
