import { AGENT_COMMANDS_QUEUE } from '@gc/contracts';
import { shardedQueueToken, type ShardedQueue } from '@gc/queueing';
import { Controller, Get, NotFoundException, OnModuleInit, Param, Query, UseGuards } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { requireId } from '../http/api-ids';
import { ZodPipe } from '../http/zod-body.pipe';
import { findGroup } from '../members/group-store';
import { CurrentUser } from '../users/current-user.decorator';
import { UserAuthGuard } from '../users/user-auth.guard';
import { User } from '../users/user.entity';
import { GroupProgress, groupProgress } from './group-progress';
import { readProgressInput, RetryNote } from './progress-reader';

/** No query parameters: an unknown one is a 400, as everywhere in the API (the API's rules, docs/architecture.md). */
export const ProgressQuery = z.object({}).strict();

@UseGuards(UserAuthGuard)
@Controller('users/:userId/groups/:groupId/progress')
export class ProgressController implements OnModuleInit {
  private retryNote: RetryNote;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // The root module's agent-commands queue, looked up rather than opened a second time.
    const queue = this.moduleRef.get<ShardedQueue>(shardedQueueToken(AGENT_COMMANDS_QUEUE), { strict: false });
    this.retryNote = async (corrId) => {
      // Only the corrId is at hand here: each shard is asked (one with QUEUE_SHARDS=1).
      const progress = (await queue.findJob(corrId))?.progress;
      return progress && typeof progress === 'object' ? (progress as { attempts?: number; lastError?: string }) : undefined;
    };
  }

  @Get()
  async progress(
    @CurrentUser() user: User,
    @Param('groupId') groupId: string,
    @Query(new ZodPipe(ProgressQuery, 'query')) _query: z.infer<typeof ProgressQuery>,
  ): Promise<GroupProgress> {
    const group = await findGroup(this.db, user.id, requireId(groupId, 'group'));
    if (!group) throw new NotFoundException(`group ${groupId} not found`);
    return groupProgress(await readProgressInput(this.db, group, this.retryNote));
  }
}
