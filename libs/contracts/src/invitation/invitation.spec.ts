import { encodeInvitation, validateInvitation } from './invitation';

const OWN = ['http://127.0.0.1:4000', 'http://127.0.0.1:4001'];
const fields = (relay: string) => ({ v: 2 as const, relay, senderId: 'AAAAAAAAAAAAAAAAAAAAAA', dhKey: 'B'.repeat(43) });
const inv = (relay: string) => encodeInvitation(fields(relay));
const raw = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

describe('validateInvitation', () => {
  it.each([
    ['one of our own relays', 'http://127.0.0.1:4000'],
    ['our relay with a trailing slash', 'http://127.0.0.1:4001/'],
    ['a public https relay', 'https://relay.example.com'],
    ['a public address with a port', 'http://203.0.113.7:8443'],
  ])('accepts %s', (_what, relay) => {
    const check = validateInvitation(inv(relay), OWN);
    expect(check).toEqual({ ok: true, invitation: { ...fields(relay), relay: new URL(relay).origin } });
  });

  it.each([
    ['garbage', '%%% not an invitation %%%', /base64url/],
    ['an empty string', '', /non-empty/],
    ['base64 of no JSON', Buffer.from('hello').toString('base64url'), /JSON/],
    ['too long', 'A'.repeat(1_025), /longer than/],
    ['a wrong version', raw({ ...fields('http://127.0.0.1:4000'), v: 1 }), /version 1 is not 2/],
    ['a missing dhKey', raw({ v: 2, relay: 'http://127.0.0.1:4000', senderId: 'AAAAAAAAAAAAAAAAAAAAAA' }), /dhKey/],
    ['an extra field', raw({ ...fields('http://127.0.0.1:4000'), extra: 1 }), /malformed/],
    ['a bad senderId', raw({ ...fields('http://127.0.0.1:4000'), senderId: '../../admin' }), /senderId/],
    ['file:', inv('file:///etc/passwd'), /scheme file:/],
    ['gopher:', inv('gopher://127.0.0.1:4000'), /scheme gopher:/],
    ['not a URL', inv('not a url'), /not a URL/],
    ['a path', inv('http://127.0.0.1:4000/admin/faults'), /origin/],
    ['a query', inv('https://relay.example.com?x=1'), /origin/],
    ['a fragment', inv('https://relay.example.com#x'), /origin/],
    ['userinfo', inv('http://user:pass@relay.example.com'), /userinfo/],
    ['cloud metadata 169.254.169.254', inv('http://169.254.169.254'), /internal address/],
    ['a 10.x address', inv('http://10.1.2.3:4000'), /internal address/],
    ['172.16/12', inv('http://172.20.0.1'), /internal address/],
    ['192.168/16', inv('http://192.168.1.1'), /internal address/],
    ['a loopback port that is not one of ours', inv('http://127.0.0.1:6379'), /internal address/],
    ['loopback spelled as a number', inv('http://2130706433:4000'), /./],
    ['localhost', inv('http://localhost:4000'), /internal address/],
    ['the unspecified address', inv('http://0.0.0.0:4000'), /internal address/],
    ['IPv6 loopback', inv('http://[::1]:4000'), /internal address/],
    ['IPv4-mapped IPv6 loopback', inv('http://[::ffff:7f00:1]:4000'), /internal address/],
    ['IPv4-mapped IPv6 loopback, dotted', inv('http://[::ffff:127.0.0.1]:4000'), /./],
    ['IPv6 unique-local', inv('http://[fd00::1]'), /internal address/],
    ['IPv6 link-local', inv('http://[fe80::1]'), /internal address/],
  ])('refuses %s, saying why', (_what, text, reason) => {
    const check = validateInvitation(text, OWN);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('refuses a non-string without throwing', () => {
    expect(validateInvitation(undefined, OWN)).toEqual({ ok: false, reason: expect.any(String) });
    expect(validateInvitation({ v: 2 }, OWN).ok).toBe(false);
  });
});
