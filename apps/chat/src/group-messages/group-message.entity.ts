import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Sent and received group messages; the primary key drops a duplicate msgId. */
@Entity({ name: 'group_messages' })
export class GroupMessage {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'group_id' }) groupId: string;
  @Column('uuid', { name: 'from_member_id' }) fromMemberId: string;
  @Column('text') text: string;
  @Column('timestamptz') at: Date;
  /** Host: to how many members it forwarded this message (x.grp.msg.fwd); a receiver: 1 if it came forwarded. */
  @Column('int', { default: 0 }) forwarded?: number;
}
