import { loadChatConfig } from './chat-config';

describe('loadChatConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadChatConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.QUEUE_PREFIX).toBe('{gc}');
    expect(config.RECONCILE_INTERVAL_MS).toBe(5_000);
    expect(config.RECONCILE_STALE_MS).toBe(15_000);
  });

  it('names every bad variable', () => {
    expect(() => loadChatConfig({ PORT: 'x', RECONCILE_STALE_MS: '-1' })).toThrow(/PORT[\s\S]*RECONCILE_STALE_MS/);
  });
});
