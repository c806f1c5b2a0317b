import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The group protocol. Host's view: invited → accepted → connected. Newcomer's view of others:
 * introduced → intro-invited → connected. Existing member's view of a newcomer:
 * announced → intro-invited → connected. Self: invited → accepted → connected. Any: failed.
 * Any, for good: removed (by the host) or left (by itself) — The group lifecycle (docs/architecture.md).
 */
export type MemberStatus = 'invited' | 'accepted' | 'announced' | 'introduced' | 'intro-invited' | 'connected' | 'failed' | 'removed' | 'left';

/** A member that is no longer in the group: nothing is sent to it, nothing from it is taken. */
export type DepartedStatus = Extract<MemberStatus, 'removed' | 'left'>;
export const hasDeparted = (status: MemberStatus): status is DepartedStatus => status === 'removed' || status === 'left';

@Entity({ name: 'members' })
export class Member {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('uuid', { name: 'group_id' }) groupId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('boolean', { name: 'is_self' }) isSelf: boolean;
  @Column('boolean', { name: 'is_host' }) isHost: boolean;
  @Column('text') status: MemberStatus;
  /** The group connection with this member (null until one is opened). */
  @Column('text', { name: 'conn_id', nullable: true }) connId: string | null;
  /** The direct connection of an introduction (a contact of its own). */
  @Column('text', { name: 'direct_conn_id', nullable: true }) directConnId: string | null;
  /** Host side: the contact this member was invited through (one live member per contact and group). */
  @Column('uuid', { name: 'invited_via_contact_id', nullable: true }) invitedViaContactId: string | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
