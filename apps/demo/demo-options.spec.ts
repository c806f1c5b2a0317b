import { parseDemoOptions } from './demo-options';

describe('parseDemoOptions', () => {
  it('defaults to 12 members at 30% faults against the npm start ports', () => {
    expect(parseDemoOptions([], {})).toEqual({
      members: 12,
      failureRate: 0.3,
      timeoutS: 600,
      chatUrl: 'http://127.0.0.1:3000',
      relayUrls: ['http://127.0.0.1:4000', 'http://127.0.0.1:4001'],
      agentUrl: 'http://127.0.0.1:3001',
      relayAdminToken: 'dev-admin-token',
    });
  });

  it('reads flags (spaced or with =) and env', () => {
    const o = parseDemoOptions(['--members', '4', '--failure-rate=0.5'], { CHAT_URL: 'http://h:1/', RELAY_URLS: 'http://r:1, http://r:2', RELAY_ADMIN_TOKEN: 't' });
    expect(o).toMatchObject({ members: 4, failureRate: 0.5, chatUrl: 'http://h:1', relayUrls: ['http://r:1', 'http://r:2'], relayAdminToken: 't' });
  });

  it('names every bad argument and prints the usage', () => {
    expect(() => parseDemoOptions(['--members', '0', '--failure-rate', '2', '--bogus'], {})).toThrow(/unknown argument --bogus[\s\S]*members[\s\S]*failureRate[\s\S]*usage/);
  });
});
