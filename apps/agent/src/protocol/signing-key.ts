import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

export interface SigningKeyPair {
  /** SPKI DER, base64: what the peer's relay queue is secured with. */
  publicKey: string;
  /** PKCS#8 DER, base64: stored so a resumed command signs with the same key. */
  privateKey: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

/** The pair of a stored private key (its public half derived again). */
export function signingKeyPairOf(privateKey: string): SigningKeyPair {
  const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return { publicKey: createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

/** base64 Ed25519 signature of the exact raw body, as the relay checks it in `x-signature`. */
export function signBody(privateKey: string, rawBody: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return sign(null, Buffer.from(rawBody), key).toString('base64');
}
