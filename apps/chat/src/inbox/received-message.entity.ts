import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Agent messages already handled: a MSG delivered again only gets acked again. */
@Entity({ name: 'received_messages' })
export class ReceivedMessage {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('text', { name: 'agent_msg_id' }) agentMsgId: string;
  @Column('text', { name: 'conn_id' }) connId: string;
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
}
