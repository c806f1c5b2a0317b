import { KeyObject, createPrivateKey } from 'node:crypto';

/** Parsed keys kept at most; past it the oldest are dropped (and parsed again when next used). */
const MAX_KEYS = 20_000;
const parsed = new Map<string, KeyObject>();

/**
 * A stored private key (PKCS#8 DER, base64) as a KeyObject. Parsing one costs ~0.5–2 ms of CPU with
 * OpenSSL 3 (its decoder), more than the signature it is for, and every send, ack and handshake step
 * would parse its connection's keys again; keys never change, so each is parsed once and kept.
 */
export function privateKeyOf(pkcs8Base64: string): KeyObject {
  let key = parsed.get(pkcs8Base64);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(pkcs8Base64, 'base64'), format: 'der', type: 'pkcs8' });
    remember(pkcs8Base64, key);
  }
  return key;
}

/** A key just generated: known already, so its first use does not parse it. */
export function rememberPrivateKey(pkcs8Base64: string, key: KeyObject): void {
  remember(pkcs8Base64, key);
}

function remember(text: string, key: KeyObject): void {
  if (parsed.size >= MAX_KEYS) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, key);
}
