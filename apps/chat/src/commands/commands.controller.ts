import { Controller, Get, Param, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../http/zod-body.pipe';
import { requireUserParam } from '../users/user-guard';
import { Command } from './command.entity';

export const CommandsQuery = z.object({ status: z.enum(['pending', 'completed', 'failed']).optional() }).strict();

@Controller('users/:userId/commands')
export class CommandsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  async list(@Param('userId') userId: string, @Query(new ZodPipe(CommandsQuery, 'query')) query: z.infer<typeof CommandsQuery>) {
    const user = await requireUserParam(this.db.manager, userId);
    const rows = await this.db.manager.find(Command, {
      where: { userId: user.id, ...(query.status ? { status: query.status } : {}) },
      order: { id: 'ASC' },
    });
    return rows.map((c) => ({ corrId: c.corrId, function: c.function, status: c.status, attempts: c.attempts, lastError: c.lastError }));
  }
}
