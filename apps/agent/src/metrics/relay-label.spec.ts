import { relayLabel } from './metered-command-executor';

describe('relayLabel', () => {
  it('labels by our own relays only: a relay named by an invitation is "foreign", so a peer cannot mint label values', () => {
    const own = ['http://127.0.0.1:4000', 'http://127.0.0.1:4001'];
    expect(relayLabel('http://127.0.0.1:4001', own)).toBe('http://127.0.0.1:4001');
    expect(relayLabel('https://relay.example.com', own)).toBe('foreign');
    expect(relayLabel(`https://x${'y'.repeat(400)}.example.com`, own)).toBe('foreign');
    expect(relayLabel(undefined, own)).toBe('none');
  });
});
