import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChatMetrics } from './chat-metrics';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ChatMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    // Exactly the exposition format's content type (res.send would add a charset).
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(text);
  }
}
