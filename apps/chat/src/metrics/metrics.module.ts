import { Module } from '@nestjs/common';
import { ChatMetrics } from './chat-metrics';
import { MetricsController } from './metrics.controller';
import { SampledGauges } from './sampled-gauges';

/** GET /metrics in Prometheus text format (the events worker's observer is registered by the app module, which sees both). */
@Module({
  controllers: [MetricsController],
  providers: [ChatMetrics, SampledGauges],
  exports: [ChatMetrics],
})
export class MetricsModule {}
