import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign, verify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { OkpCurve, generateOkpKeyPair, okpPrivateKeyOfPkcs8, okpPublicKey, okpRawOfSpki, okpRawPublicKey, okpSpki } from './okp-keys';

describe.each<OkpCurve>(['Ed25519', 'X25519'])('%s keys without the DER encoder', (curve) => {
  const generate = () => (curve === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519'));

  it('encodes a generated pair byte for byte as OpenSSL does (SPKI and PKCS#8 DER)', () => {
    for (let i = 0; i < 20; i++) {
      const pair = generateOkpKeyPair(curve);
      expect(pair.spki.equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
      expect(pair.pkcs8.equals(pair.privateKey.export({ format: 'der', type: 'pkcs8' }))).toBe(true);
      expect(okpRawOfSpki(curve, pair.spki)!.equals(pair.raw)).toBe(true);
      expect(okpRawPublicKey(pair.privateKey).equals(pair.raw)).toBe(true);
    }
  });

  it('parses an OpenSSL-made SPKI into the same key, and refuses other bytes', () => {
    const { publicKey } = generate();
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const raw = okpRawOfSpki(curve, der)!;
    expect(okpSpki(curve, raw).equals(der)).toBe(true);
    expect(okpPublicKey(curve, raw)!.equals(createPublicKey({ key: der, format: 'der', type: 'spki' }))).toBe(true);
    const other: OkpCurve = curve === 'Ed25519' ? 'X25519' : 'Ed25519';
    expect(okpRawOfSpki(other, der)).toBeNull();
    expect(okpRawOfSpki(curve, der.subarray(1))).toBeNull();
    expect(okpRawOfSpki(curve, Buffer.concat([der, Buffer.from([0])]))).toBeNull();
    expect(okpPublicKey(curve, raw.subarray(1))).toBeNull();
  });

  it('parses an OpenSSL-made PKCS#8 into the same key as the DER decoder, and leaves other bytes to it', () => {
    for (let i = 0; i < 20; i++) {
      const { privateKey, publicKey } = generate();
      const der = privateKey.export({ format: 'der', type: 'pkcs8' });
      const parsed = okpPrivateKeyOfPkcs8(der)!;
      expect(parsed.asymmetricKeyType).toBe(curve.toLowerCase());
      expect(parsed.export({ format: 'der', type: 'pkcs8' }).equals(der)).toBe(true);
      // The public half is derived from the seed, not taken from the placeholder.
      expect(okpRawPublicKey(parsed).equals(okpRawOfSpki(curve, publicKey.export({ format: 'der', type: 'spki' }))!)).toBe(true);
      if (curve === 'Ed25519') {
        expect(verify(null, Buffer.from('body'), publicKey, sign(null, Buffer.from('body'), parsed))).toBe(true);
      } else {
        const peer = generateKeyPairSync('x25519');
        expect(diffieHellman({ privateKey: parsed, publicKey: peer.publicKey }).equals(diffieHellman({ privateKey: peer.privateKey, publicKey }))).toBe(true);
      }
    }
    const der = generate().privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(okpPrivateKeyOfPkcs8(der.subarray(1))).toBeNull();
    expect(okpPrivateKeyOfPkcs8(Buffer.concat([der, Buffer.from([0])]))).toBeNull();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(okpPrivateKeyOfPkcs8(ec)).toBeNull();
    expect(createPrivateKey({ key: ec, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
  });

  if (curve === 'Ed25519') {
    it('a key parsed from raw bytes verifies what the private key signed', () => {
      const pair = generateOkpKeyPair('Ed25519');
      const signature = sign(null, Buffer.from('body'), pair.privateKey);
      expect(verify(null, Buffer.from('body'), okpPublicKey('Ed25519', pair.raw)!, signature)).toBe(true);
      expect(verify(null, Buffer.from('other'), okpPublicKey('Ed25519', pair.raw)!, signature)).toBe(false);
    });
  }
});

describe('generateOkpKeyPair cannot deadlock the process (Node 20: JWK export vs a key-gen job being collected)', () => {
  // In a child process, so that a deadlock (the main thread blocked on a mutex: no timer, no test
  // timeout can fire) fails this test after `timeout` instead of freezing the test run. The child
  // loads the built module (dist/, as the e2e suites run the built apps). With the keys made by
  // generateKeyPairSync, as before this fix, the same loop froze within a few thousand keys.
  it('makes and exports 20,000 pairs of each curve in a child process that exits', () => {
    const built = resolve(__dirname, '../../../../dist/libs/contracts/src/keys/okp-keys.js');
    const script = `const k = require(${JSON.stringify(built)});
      for (let i = 0; i < 20000; i++) for (const curve of ['Ed25519', 'X25519']) {
        const pair = k.generateOkpKeyPair(curve);
        if (!k.okpRawPublicKey(pair.privateKey).equals(pair.raw)) throw new Error('public half differs');
      }`;
    const run = spawnSync(process.execPath, ['-e', script], { timeout: 60_000, encoding: 'utf8' });
    expect({ signal: run.signal, status: run.status, stderr: run.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
  }, 90_000);
});
