import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgentMetrics } from './agent-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AgentMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
