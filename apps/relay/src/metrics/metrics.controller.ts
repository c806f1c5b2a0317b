import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RelayMetrics } from './relay-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: RelayMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    // Exactly the exposition format's content type (res.send would add a charset).
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(text);
  }
}
