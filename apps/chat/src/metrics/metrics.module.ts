import { Module } from '@nestjs/common';
import { ChatMetrics } from './chat-metrics';
import { EventMetricsObserver } from './event-metrics.observer';
import { MetricsController } from './metrics.controller';
import { SampledGauges } from './sampled-gauges';

/** GET /metrics in Prometheus text format. */
@Module({
  controllers: [MetricsController],
  providers: [ChatMetrics, SampledGauges, EventMetricsObserver],
  exports: [ChatMetrics],
})
export class MetricsModule {}
