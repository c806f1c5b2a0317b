import type { AgentEvent } from '@gc/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type InboxState = 'received' | 'complete';

/** A relay message handled (or being handled): dedupes redeliveries and remembers its events. */
@Entity({ name: 'inbox' })
@Index('inbox_relay_message', ['relay', 'recipientId', 'msgId'], { unique: true })
@Index('inbox_connection', ['userId', 'connId'])
export class InboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  relay: string;

  @Column({ name: 'recipient_id', type: 'text' })
  recipientId: string;

  @Column({ name: 'msg_id', type: 'varchar', length: 128 })
  msgId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'conn_id', type: 'varchar', length: 64 })
  connId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'varchar', length: 16, default: 'received' })
  status: InboxState;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  events: AgentEvent[];

  /** MSG only: null until the chat ACKs it; SUBSCRIBE re-emits the ones still null. */
  @Column({ name: 'acked_at', type: 'timestamptz', nullable: true })
  ackedAt: Date | null;

  /** MSG only: when InboxRedelivery last re-added its event (it takes the least recent first). */
  @Column({ name: 'redelivered_at', type: 'timestamptz', nullable: true })
  redeliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
