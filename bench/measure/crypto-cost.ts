import { validateInvitation, encodeInvitation, RecipientStatement } from '@gc/contracts';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { agreeConnectionKey, dhPublicKeyOf, generateDhKeyPair } from '../../apps/agent/src/crypto/key-agreement';
import { ConnectionEntity } from '../../apps/agent/src/persistence/connection.entity';
import { openEnvelope, sealEnvelope } from '../../apps/agent/src/protocol/sealed-envelope';
import { generateSigningKeyPair, signBody } from '../../apps/agent/src/protocol/signing-key';

/** Microseconds of CPU per command for the cryptography of relay trust (issue 11), by command. */
export interface CryptoCost {
  createUs: number;
  joinUs: number;
  /** One SEND of a 1 KiB body: seal, sign; at the relay: verify; at the peer: open, ack signature. */
  messageUs: number;
}

function perCall(n: number, step: () => void): number {
  for (let i = 0; i < Math.min(50, n); i++) step(); // warm-up (JIT)
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) step();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

/**
 * The node:crypto work each command adds, measured in-process with the agent's own functions, so
 * the throughput figures' CPU can be read against it (the rest of a command's cost is IO and queues).
 */
export function measureCryptoCost(n = 500): CryptoCost {
  const relay = 'http://127.0.0.1:4000';
  const senderId = 'A'.repeat(22);
  const inviterDh = generateDhKeyPair();
  const invitation = encodeInvitation({ v: 2, relay, senderId, dhKey: inviterDh.publicKey });
  const createUs = perCall(n, () => {
    // CREATE: a recipient key, an X25519 key, the create signed with the recipient key.
    const recipient = generateSigningKeyPair();
    const dh = generateDhKeyPair();
    dhPublicKeyOf(dh.privateKey);
    signBody(recipient.privateKey, JSON.stringify({ recipientKey: recipient.publicKey, idempotencyKey: senderId }));
  });
  const joinUs = perCall(n, () => {
    // JOIN: validate, agree the key, keys K and the recipient key, the signed create, the sealed signed conf.
    const check = validateInvitation(invitation, [relay]);
    const dh = generateDhKeyPair();
    const e2eKey = agreeConnectionKey(dh.privateKey, check.ok ? check.invitation.dhKey : '')!;
    const k = generateSigningKeyPair();
    const recipient = generateSigningKeyPair();
    signBody(recipient.privateKey, JSON.stringify({ recipientKey: recipient.publicKey, idempotencyKey: senderId }));
    const conn = { connId: 'c', e2eKey, dhPrivateKey: dh.privateKey, sndSenderId: senderId } as ConnectionEntity;
    const body = sealEnvelope(conn, 'conf-1', { t: 'conf', senderKey: k.publicKey, reply: { relay, senderId }, connInfo: 'x'.repeat(200) });
    signBody(k.privateKey, JSON.stringify({ msgId: 'conf-1', body }));
  });
  const keys = generateSigningKeyPair();
  const recipient = generateSigningKeyPair();
  const e2eKey = agreeConnectionKey(generateDhKeyPair().privateKey, inviterDh.publicKey)!;
  const sender = { connId: 'c', e2eKey, dhPrivateKey: null, sndSenderId: senderId } as ConnectionEntity;
  const receiver = { connId: 'c', e2eKey, dhPrivateKey: null, rcvSenderId: senderId, role: 'joiner', status: 'connected' } as ConnectionEntity;
  const senderPublic = createPublicKey(createPrivateKey({ key: Buffer.from(keys.privateKey, 'base64'), format: 'der', type: 'pkcs8' }));
  const recipientPrivate = createPrivateKey({ key: Buffer.from(recipient.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const text = 'x'.repeat(1_024);
  const messageUs = perCall(n, () => {
    const body = sealEnvelope(sender, 'msg-1', { t: 'msg', msgId: 'm', body: text });
    const raw = JSON.stringify({ msgId: 'msg-1', body });
    const signature = Buffer.from(signBody(keys.privateKey, raw), 'base64');
    verify(null, Buffer.from(raw), senderPublic, signature);
    openEnvelope(receiver, { msgId: 'msg-1', body });
    sign(null, Buffer.from(RecipientStatement.ack(senderId, 'msg-1')), recipientPrivate);
  });
  return { createUs, joinUs, messageUs };
}
