import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { RecipientStatement } from '@gc/contracts';
import type { Request, Response } from 'express';
import { notFound } from '../http/relay-http-error';
import { parseRequest } from '../http/parse-request';
import { QueueStore } from '../queues/queue-store';
import { isRelayId } from '../queues/relay-ids';
import { verifySignature } from '../queues/signature-verifier';
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

  /**
   * Takes over delivery of each queue whose recipient signed this session's subscribe statement.
   * `unknown`: no such queue; `refused`: the signature does not verify (knowing a recipient id
   * is not enough to read a queue, nor to move its delivery away from its owner's stream).
   */
  @Post(':sessionId/subscriptions')
  @HttpCode(200)
  async subscribe(
    @Param('sessionId') sessionId: string,
    @Body() body: unknown,
  ): Promise<{ subscribed: number; unknown: string[]; refused: string[] }> {
    const session = this.registry.get(sessionId);
    if (!session) throw notFound('unknown session (the stream closed, or the relay restarted)');
    const { subscriptions } = parseRequest(SubscribeRequest, body);
    const signatures = new Map(subscriptions.map((s) => [s.recipientId, s.signature]));
    const unique = [...signatures.keys()];
    const keys = await this.store.recipientKeys(unique.filter(isRelayId));
    const accepted: string[] = [];
    const unknown: string[] = [];
    const refused: string[] = [];
    for (const rid of unique) {
      const key = keys.get(rid);
      if (!key) unknown.push(rid);
      else if (verifySignature(key, RecipientStatement.subscribe(sessionId, rid), signatures.get(rid))) accepted.push(rid);
      else refused.push(rid);
    }
    if (!session.open) throw notFound('unknown session (the stream closed)');
    this.registry.subscribe(session, accepted);
    return { subscribed: accepted.length, unknown, refused };
  }
}
