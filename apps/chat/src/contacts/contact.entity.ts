import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'contacts' })
export class Contact {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text', { name: 'conn_id' }) connId: string;
  /** The peer's name, learned from its connInfo (x.contact / x.grp.mem.info). */
  @Column('text', { name: 'display_name', nullable: true }) displayName: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
