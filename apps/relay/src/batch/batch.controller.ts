import { Body, Controller, HttpCode, Logger, Post, Req } from '@nestjs/common';
import { RelayBatchResult, RelayOperationName } from '@gc/contracts';
import type { Request } from 'express';
import { CallerRateLimiter } from '../bounds/caller-rate-limiter';
import { callerAddress } from '../http/caller-address';
import { parseRequest } from '../http/parse-request';
import { describeAndLog } from '../http/relay-exception.filter';
import { RelayHttpError, badRequest } from '../http/relay-http-error';
import { RelayMetrics } from '../metrics/relay-metrics';
import { QueueOperations } from '../queues/queue-operations';
import { BatchOperation, BatchRequest } from './batch-request';

/** What each operation's single route answers on success. */
const SUCCESS: Record<RelayOperationName, number> = { create: 201, secure: 204, send: 201, ack: 204, delete: 204 };

function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('body: not JSON');
  }
}

/**
 * POST /batch: queue operations of one caller in one request (an agent gathers what its commands
 * ask of this relay at once), so a busy agent pays one HTTP exchange, one parse and one pass through
 * the middleware for several of them (Express and Nest's request path alone were ~20% of the relay's
 * CPU in the relay-requests probe, and a request cost twice as much in the loaded system:
 * docs/benchmarks.md). Each operation is run by the same QueueOperations as
 * its single route and answered on its own, `{status, body}`, in order: one refused operation never
 * fails the others. They run concurrently, as the same operations sent as separate requests would.
 * Bounds hold per operation: each after the first takes a rate-limit token of its own (the request
 * took one), so a batch is never a way around RELAY_RATE_LIMIT_PER_SECOND.
 */
@Controller('batch')
export class BatchController {
  private readonly logger = new Logger(BatchController.name);

  constructor(
    private readonly operations: QueueOperations,
    private readonly limiter: CallerRateLimiter,
    private readonly metrics: RelayMetrics,
  ) {}

  @Post()
  @HttpCode(200)
  async run(@Body() body: unknown, @Req() req: Request): Promise<{ results: RelayBatchResult[] }> {
    const { ops } = parseRequest(BatchRequest, body);
    const caller = callerAddress(req);
    return { results: await Promise.all(ops.map((op, i) => this.runOne(op, caller, i === 0))) };
  }

  private async runOne(value: unknown, caller: string, tokenTaken: boolean): Promise<RelayBatchResult> {
    let name = 'invalid';
    let result: RelayBatchResult;
    try {
      if (!tokenTaken && !this.limiter.take(caller)) throw new RelayHttpError(429, 'rate_limited', this.limiter.refusal);
      const op = parseRequest(BatchOperation, value);
      name = op.op;
      const answer = await this.execute(op, caller);
      result = answer === undefined ? { status: SUCCESS[op.op] } : { status: SUCCESS[op.op], body: answer };
    } catch (err) {
      const { status, body } = describeAndLog(err, this.logger);
      result = { status, body };
    }
    this.metrics.batchedOperations.inc({ operation: name, status: String(result.status) });
    return result;
  }

  private execute(op: BatchOperation, caller: string): Promise<unknown> {
    switch (op.op) {
      case 'create':
        return this.operations.create(op.body, parsedBody(op.body), op.signature, caller);
      case 'secure':
        return this.operations.secure(op.recipientId, parsedBody(op.body), op.signature);
      case 'send':
        return this.operations.send(op.senderId, op.body, parsedBody(op.body), op.signature);
      case 'ack':
        return this.operations.ack(op.recipientId, op.msgId, op.signature);
      case 'delete':
        return this.operations.remove(op.recipientId, op.signature);
    }
  }
}
