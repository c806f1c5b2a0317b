import { Module } from '@nestjs/common';
import { ProgressController } from './progress.controller';

/** GET /users/:u/groups/:g/progress: which pairs of a group are connected, and what the rest wait on. */
@Module({ controllers: [ProgressController] })
export class ProgressModule {}
