import type { AgentCommandType, AgentEvent } from '@gc/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CommandState = 'running' | 'completed' | 'failed';

/** A command by corrId: the step it reached (to resume), and once done the events it answered with. */
@Entity({ name: 'commands' })
export class CommandEntity {
  @PrimaryColumn({ name: 'corr_id', type: 'varchar', length: 128 })
  corrId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  type: AgentCommandType;

  @Column({ name: 'conn_id', type: 'varchar', length: 64, nullable: true })
  connId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'running' })
  status: CommandState;

  @Column({ type: 'varchar', length: 32, default: 'start' })
  step: string;

  /** Transient failures met so far; also shifts the relay a CREATE/JOIN picks. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Of those, failures of no known kind: past UNKNOWN_ERROR_ATTEMPTS the command fails (UNKNOWN_FAILURE). */
  @Column({ name: 'unknown_failures', type: 'int', default: 0 })
  unknownFailures: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'jsonb', nullable: true })
  result: AgentEvent[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
