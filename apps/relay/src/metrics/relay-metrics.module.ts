import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { RelayMetrics } from './relay-metrics';

/** GET /metrics in Prometheus text format; main.ts installs RelayMetrics.middleware before the fault injector. */
@Module({
  controllers: [MetricsController],
  providers: [RelayMetrics],
  exports: [RelayMetrics],
})
export class RelayMetricsModule {}
