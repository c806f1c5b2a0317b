import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Host side: one row per (newcomer, existing member) pair, so nothing is introduced or forwarded twice. */
export type IntroductionStatus = 'new' | 'invited' | 'forwarded' | 'connected' | 'retrying' | 'failed';

@Entity({ name: 'introductions' })
export class Introduction {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('uuid', { name: 'group_id' }) groupId: string;
  @PrimaryColumn('uuid', { name: 'new_member_id' }) newMemberId: string;
  @PrimaryColumn('uuid', { name: 'existing_member_id' }) existingMemberId: string;
  @Column('text') status: IntroductionStatus;
  /** Re-introductions made after a permanent failure of the pair's connection. */
  @Column('int', { default: 0 }) attempts: number;
  @Column('timestamptz', { name: 'retry_at', nullable: true }) retryAt: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
