import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AgentCommand } from '@gc/contracts';

export type CommandStatus = 'pending' | 'completed' | 'failed';

/** The outbox row of one agent command, with the continuation that resumes on its completion. */
@Entity({ name: 'commands' })
export class Command {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('text', { name: 'corr_id', unique: true }) corrId: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text', { name: 'conn_id' }) connId: string;
  @Column('text') function: string;
  @Column('jsonb') continuation: unknown;
  /** The job data published to agent-commands (re-published as is by the reconciler). */
  @Column('jsonb') command: AgentCommand;
  @Column('text') status: CommandStatus;
  @Column('int') attempts: number;
  /** Committed runs of the continuation (resume or failure): must never exceed 1. */
  @Column('int', { default: 0 }) executions: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
