import { Body, Controller, Delete, Headers, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { SIGNATURE_HEADER } from '@gc/contracts';
import type { Request } from 'express';
import { callerAddress } from '../http/caller-address';
import { QueueOperations } from './queue-operations';
import { QueueIds } from './queue-store';

type RawBodyRequest = Request & { rawBody?: Buffer };

/** The queue routes of architecture.md "Relay HTTP API", one operation per request (POST /batch carries several). */
@Controller('queues')
export class QueuesController {
  constructor(private readonly operations: QueueOperations) {}

  @Post()
  @HttpCode(201)
  create(
    @Body() body: unknown,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Req() req: RawBodyRequest,
  ): Promise<QueueIds & { subscribed?: boolean }> {
    return this.operations.create(req.rawBody ?? Buffer.alloc(0), body, signature, callerAddress(req));
  }

  @Put(':recipientId/secure')
  @HttpCode(204)
  secure(
    @Param('recipientId') recipientId: string,
    @Body() body: unknown,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
  ): Promise<void> {
    return this.operations.secure(recipientId, body, signature);
  }

  @Post(':senderId/messages')
  @HttpCode(201)
  send(
    @Param('senderId') senderId: string,
    @Body() body: unknown,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Req() req: RawBodyRequest,
  ): Promise<{ msgId: string }> {
    return this.operations.send(senderId, req.rawBody ?? Buffer.alloc(0), body, signature);
  }

  @Delete(':recipientId/messages/:msgId')
  @HttpCode(204)
  ack(
    @Param('recipientId') recipientId: string,
    @Param('msgId') msgId: string,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
  ): Promise<void> {
    return this.operations.ack(recipientId, msgId, signature);
  }

  @Delete(':recipientId')
  @HttpCode(204)
  remove(@Param('recipientId') recipientId: string, @Headers(SIGNATURE_HEADER) signature: string | undefined): Promise<void> {
    return this.operations.remove(recipientId, signature);
  }
}
