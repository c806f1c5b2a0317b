import { AgentCommand, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandEntity } from '../persistence/command.entity';

/** agent.commands: what makes the agent idempotent by corrId and lets a command resume. */
@Injectable()
export class CommandJournal {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(CommandEntity);
  }

  /** The command's row, made on first sight; a repeat finds the one already there. */
  async begin(command: AgentCommand): Promise<CommandEntity> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({
        corrId: command.corrId,
        userId: command.userId,
        type: command.type,
        connId: 'connId' in command ? command.connId : null,
      })
      .orIgnore()
      .execute();
    return this.repo.findOneByOrFail({ corrId: command.corrId });
  }

  async step(corrId: string, step: string): Promise<void> {
    await this.repo.update({ corrId }, { step });
  }

  /** Counts a transient failure; returns the attempts so far. */
  async recordAttempt(corrId: string, error: string): Promise<number> {
    const rows: Array<{ attempts: number }> = await this.dataSource.query(
      `UPDATE "agent"."commands" SET attempts = attempts + 1, last_error = $2, updated_at = now() WHERE corr_id = $1 RETURNING attempts`,
      [corrId, error.slice(0, 2_000)],
    );
    // TypeORM returns [rows, count] for UPDATE … RETURNING on postgres.
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown as Array<{ attempts: number }>) : rows;
    return list[0]?.attempts ?? 1;
  }

  async complete(corrId: string, result: AgentEvent[]): Promise<void> {
    await this.repo.update({ corrId }, { status: 'completed', step: 'done', result });
  }

  async fail(corrId: string, result: AgentEvent[], reason: string): Promise<void> {
    await this.repo.update({ corrId }, { status: 'failed', step: 'failed', result, lastError: reason.slice(0, 2_000) });
  }
}
