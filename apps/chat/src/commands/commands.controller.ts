import { BadRequestException, Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { PageQuery } from '../http/page-query';
import { ZodPipe } from '../http/zod-body.pipe';
import { listCommands } from '../outbox/command-store';
import { CurrentUser } from '../users/current-user.decorator';
import { UserAuthGuard } from '../users/user-auth.guard';
import { User } from '../users/user.entity';

export const CommandsQuery = PageQuery.extend({ status: z.enum(['pending', 'completed', 'failed']).optional() }).strict();

/** GET /users/:u/commands: the outbox as its user sees it, oldest first, paged by corrId. */
@UseGuards(UserAuthGuard)
@Controller('users/:userId/commands')
export class CommandsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  async list(@CurrentUser() user: User, @Query(new ZodPipe(CommandsQuery, 'query')) query: z.infer<typeof CommandsQuery>) {
    const page = await listCommands(this.db, user.id, query);
    if (!page) throw new BadRequestException(`invalid query: after: ${query.after} is not a command of this user`);
    return page;
  }
}
