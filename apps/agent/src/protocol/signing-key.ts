import { generateOkpKeyPair, okpRawPublicKey, okpSpki } from '@gc/contracts';
import { sign } from 'node:crypto';
import { privateKeyOf, rememberPrivateKey } from '../crypto/private-keys';

export interface SigningKeyPair {
  /** SPKI DER, base64: what the peer's relay queue is secured with. */
  publicKey: string;
  /** PKCS#8 DER, base64: stored so a resumed command signs with the same key. */
  privateKey: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  // Encoded without OpenSSL's DER encoder (@gc/contracts okp-keys): a pair per CREATE and per JOIN.
  const pair = generateOkpKeyPair('Ed25519');
  const stored = pair.pkcs8.toString('base64');
  rememberPrivateKey(stored, pair.privateKey);
  return { publicKey: pair.spki.toString('base64'), privateKey: stored };
}

/** The pair of a stored private key (its public half derived again). */
export function signingKeyPairOf(privateKey: string): SigningKeyPair {
  const key = privateKeyOf(privateKey);
  return { publicKey: okpSpki('Ed25519', okpRawPublicKey(key)).toString('base64'), privateKey };
}

/** base64 Ed25519 signature of the exact raw body, as the relay checks it in `x-signature`. */
export function signBody(privateKey: string, rawBody: string): string {
  return sign(null, Buffer.from(rawBody), privateKeyOf(privateKey)).toString('base64');
}
