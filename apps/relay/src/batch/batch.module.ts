import { Module } from '@nestjs/common';
import { BoundsModule } from '../bounds/bounds.module';
import { RelayMetricsModule } from '../metrics/relay-metrics.module';
import { QueuesModule } from '../queues/queues.module';
import { BatchController } from './batch.controller';

/** POST /batch: the queue operations of QueuesModule, several per request. */
@Module({
  imports: [QueuesModule, BoundsModule, RelayMetricsModule],
  controllers: [BatchController],
})
export class BatchModule {}
