import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Which side of the handshake this user is on. */
export type ConnectionRole = 'inviter' | 'joiner';
/**
 * What the connection is for; events without corrId are routed by it.
 * host-member: the host's connection to a member it invited; member-host: that member's side.
 * intro-group / intro-direct: the two connections of an introduction (newcomer = inviter).
 */
export type ConnectionPurpose = 'contact' | 'host-member' | 'member-host' | 'intro-group' | 'intro-direct';
/** Inviter: creating → invited → confirmed → allowed → connected. Joiner: joining → joined → connected. */
export type ConnectionStage = 'creating' | 'invited' | 'confirmed' | 'allowed' | 'joining' | 'joined' | 'connected' | 'failed';

@Entity({ name: 'connections' })
export class Connection {
  @PrimaryColumn('text') id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text') role: ConnectionRole;
  @Column('text') purpose: ConnectionPurpose;
  @Column('text') stage: ConnectionStage;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId: string | null;
  @Column('uuid', { name: 'group_id', nullable: true }) groupId: string | null;
  @Column('uuid', { name: 'member_id', nullable: true }) memberId: string | null;
  @Column('text', { nullable: true }) invitation: string | null;
  @Column('text', { name: 'peer_info', nullable: true }) peerInfo: string | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
