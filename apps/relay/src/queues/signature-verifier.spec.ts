import { generateKeyPairSync, sign } from 'node:crypto';
import { parseSenderKey, verifySignature } from './signature-verifier';

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pub: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

describe('signature verifier', () => {
  const body = Buffer.from('{"msgId":"m1","body":"hello"}');

  it('accepts the signature of the exact raw body', () => {
    const k = ed25519();
    const sig = sign(null, body, k.privateKey).toString('base64');
    expect(verifySignature(k.pub, body, sig)).toBe(true);
  });

  it('rejects a signature of other bytes, by another key, or malformed', () => {
    const k = ed25519();
    const other = ed25519();
    const sig = sign(null, body, k.privateKey).toString('base64');
    expect(verifySignature(k.pub, Buffer.from('{"msgId":"m1", "body":"hello"}'), sig)).toBe(false);
    expect(verifySignature(other.pub, body, sig)).toBe(false);
    expect(verifySignature(k.pub, body, 'not-base64!')).toBe(false);
    expect(verifySignature(k.pub, body, Buffer.alloc(64).toString('base64'))).toBe(false);
  });

  it('parses only Ed25519 SPKI keys', () => {
    expect(parseSenderKey(ed25519().pub)).not.toBeNull();
    expect(parseSenderKey('AAAA')).toBeNull();
    expect(parseSenderKey('###')).toBeNull();
    const { publicKey } = generateKeyPairSync('x25519');
    expect(parseSenderKey(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'))).toBeNull();
  });
});
