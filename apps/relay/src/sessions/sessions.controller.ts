import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { notFound } from '../http/relay-http-error';
import { parseRequest } from '../http/parse-request';
import { QueueStore } from '../queues/queue-store';
import { isRelayId } from '../queues/relay-ids';
import { SessionRegistry } from './session-registry';
import { SubscribeRequest } from './subscription-requests';

@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly store: QueueStore,
  ) {}

  @Get('stream')
  stream(@Req() req: Request, @Res() res: Response): void {
    // A stream is long-lived by design: no idle timeout, headers out at once so the agent knows it is up.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    this.registry.open(res);
  }

  @Post(':sessionId/subscriptions')
  @HttpCode(200)
  async subscribe(@Param('sessionId') sessionId: string, @Body() body: unknown): Promise<{ subscribed: number; unknown: string[] }> {
    const session = this.registry.get(sessionId);
    if (!session) throw notFound('unknown session (the stream closed, or the relay restarted)');
    const { recipientIds } = parseRequest(SubscribeRequest, body);
    const unique = [...new Set(recipientIds)];
    const existing = await this.store.existing(unique.filter(isRelayId));
    const known = unique.filter((rid) => existing.has(rid));
    if (!session.open) throw notFound('unknown session (the stream closed)');
    this.registry.subscribe(session, known);
    return { subscribed: known.length, unknown: unique.filter((rid) => !existing.has(rid)) };
  }
}
