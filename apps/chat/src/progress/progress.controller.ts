import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Group } from '../groups/group.entity';
import { requireId } from '../http/api-ids';
import { ZodPipe } from '../http/zod-body.pipe';
import { requireUserParam } from '../users/user-guard';
import { GroupProgress, groupProgress } from './group-progress';
import { readProgressInput } from './progress-reader';

/** No query parameters: an unknown one is a 400, as everywhere in the API (design §7). */
export const ProgressQuery = z.object({}).strict();

@Controller('users/:userId/groups/:groupId/progress')
export class ProgressController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  async progress(
    @Param('userId') userId: string,
    @Param('groupId') groupId: string,
    @Query(new ZodPipe(ProgressQuery, 'query')) _query: z.infer<typeof ProgressQuery>,
  ): Promise<GroupProgress> {
    const user = await requireUserParam(this.db.manager, userId);
    const group = await this.db.manager.findOne(Group, { where: { userId: user.id, id: requireId(groupId, 'group') } });
    if (!group) throw new NotFoundException(`group ${groupId} not found`);
    return groupProgress(await readProgressInput(this.db.manager, group));
  }
}
