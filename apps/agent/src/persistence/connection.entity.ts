import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type ConnectionRole = 'inviter' | 'joiner';
/** `pending`: its CREATE/JOIN has not finished; the rest are ConnectionStatus of the contract. */
export type ConnectionState = 'pending' | 'invited' | 'confirmed' | 'allowed' | 'joined' | 'connected' | 'deleted';

/** One side of a duplex connection: our receive queue, the peer's queue we send to, and the keys. */
@Entity({ name: 'connections' })
@Index('connections_receive_queue', ['rcvRelay', 'rcvRecipientId'], { unique: true, where: '"rcv_recipient_id" IS NOT NULL' })
export class ConnectionEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @PrimaryColumn({ name: 'conn_id', type: 'varchar', length: 64 })
  connId: string;

  @Column({ type: 'varchar', length: 16 })
  role: ConnectionRole;

  @Column({ type: 'varchar', length: 16 })
  status: ConnectionState;

  /** corrId of the CREATE or JOIN that made it: the same command resumes, another one conflicts. */
  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  createdBy: string;

  @Column({ name: 'rcv_relay', type: 'text', nullable: true })
  rcvRelay: string | null;

  @Column({ name: 'rcv_recipient_id', type: 'text', nullable: true })
  rcvRecipientId: string | null;

  @Column({ name: 'rcv_sender_id', type: 'text', nullable: true })
  rcvSenderId: string | null;

  @Column({ type: 'text', nullable: true })
  invitation: string | null;

  @Column({ name: 'snd_relay', type: 'text', nullable: true })
  sndRelay: string | null;

  @Column({ name: 'snd_sender_id', type: 'text', nullable: true })
  sndSenderId: string | null;

  /** Our Ed25519 key pair for signing what we send to the peer's queue. */
  @Column({ name: 'own_public_key', type: 'text', nullable: true })
  ownPublicKey: string | null;

  @Column({ name: 'own_private_key', type: 'text', nullable: true })
  ownPrivateKey: string | null;

  /** Ed25519 PKCS#8 base64: the recipient key of our receive queue; every recipient operation at the relay is signed with it. */
  @Column({ name: 'recipient_private_key', type: 'text', nullable: true })
  recipientPrivateKey: string | null;

  /** Our X25519 private key (PKCS#8 base64): the inviter's until the joiner's conf agrees the key; the joiner's for its conf. */
  @Column({ name: 'dh_private_key', type: 'text', nullable: true })
  dhPrivateKey: string | null;

  /** The end-to-end key of the connection (AES-256, base64), agreed in the handshake: every body through a relay is sealed with it. */
  @Column({ name: 'e2e_key', type: 'text', nullable: true })
  e2eKey: string | null;

  /** The key the peer signs with: our receive queue is secured with it. */
  @Column({ name: 'peer_sender_key', type: 'text', nullable: true })
  peerSenderKey: string | null;

  @Column({ name: 'confirmation_id', type: 'varchar', length: 128, nullable: true })
  confirmationId: string | null;

  @Column({ name: 'peer_conn_info', type: 'text', nullable: true })
  peerConnInfo: string | null;

  /** corrId of the ALLOW that accepted the confirmation. */
  @Column({ name: 'allowed_by', type: 'varchar', length: 128, nullable: true })
  allowedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
