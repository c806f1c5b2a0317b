import { agreeConnectionKey, dhPublicKeyOf, generateDhKeyPair } from './key-agreement';
import { open, seal } from './sealed-box';

describe('connection crypto', () => {
  it('agrees one key on both sides from each side’s private and the other’s public key', () => {
    const inviter = generateDhKeyPair();
    const joiner = generateDhKeyPair();
    expect(inviter.publicKey).toHaveLength(43);
    expect(dhPublicKeyOf(joiner.privateKey)).toBe(joiner.publicKey);
    const a = agreeConnectionKey(inviter.privateKey, joiner.publicKey);
    expect(a).not.toBeNull();
    expect(agreeConnectionKey(joiner.privateKey, inviter.publicKey)).toBe(a);
    expect(agreeConnectionKey(joiner.privateKey, generateDhKeyPair().publicKey)).not.toBe(a);
  });

  it('refuses a peer key that is not one, or of low order, without throwing', () => {
    const own = generateDhKeyPair();
    expect(agreeConnectionKey(own.privateKey, 'short')).toBeNull();
    expect(agreeConnectionKey(own.privateKey, Buffer.alloc(32).toString('base64url'))).toBeNull();
  });

  it('opens only what was sealed with the same key and associated data, each time under a fresh nonce', () => {
    const key = agreeConnectionKey(generateDhKeyPair().privateKey, generateDhKeyPair().publicKey)!;
    const other = agreeConnectionKey(generateDhKeyPair().privateKey, generateDhKeyPair().publicKey)!;
    const box = seal(key, 'queue-A m1', 'secret text');
    expect(box.c).not.toContain('secret');
    expect(open(key, 'queue-A m1', box)).toBe('secret text');
    expect(open(key, 'queue-B m1', box)).toBeNull();
    expect(open(other, 'queue-A m1', box)).toBeNull();
    const flipped = Buffer.from(box.c, 'base64url');
    flipped[0] ^= 1;
    expect(open(key, 'queue-A m1', { ...box, c: flipped.toString('base64url') })).toBeNull();
    expect(seal(key, 'queue-A m1', 'secret text').n).not.toBe(box.n);
  });
});
