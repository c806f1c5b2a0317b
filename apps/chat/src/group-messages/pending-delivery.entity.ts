import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A group message waiting for the group connection with a member; flushed on CON. */
@Entity({ name: 'pending_deliveries' })
export class PendingDelivery {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('uuid', { name: 'group_id' }) groupId: string;
  @PrimaryColumn('uuid', { name: 'member_id' }) memberId: string;
  @PrimaryColumn('uuid', { name: 'message_id' }) messageId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
