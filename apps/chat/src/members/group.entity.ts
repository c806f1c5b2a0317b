import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One user's copy of a group; the group id is shared by every member's copy. */
@Entity({ name: 'groups' })
export class Group {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('uuid', { name: 'host_member_id' }) hostMemberId: string;
  @Column('uuid', { name: 'self_member_id' }) selfMemberId: string;
  /** The host's invitation (x.grp.inv) an invitee joins with. */
  @Column('text', { nullable: true }) invitation: string | null;
  /** The contact connection the invitation came over (an invitee's copy only). */
  @Column('text', { name: 'invited_via_conn_id', nullable: true }) invitedViaConnId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
