import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/**
 * In-process signal from the queues (a message was stored, a queue was deleted) to push delivery,
 * so the two capabilities do not depend on each other. Only the signal travels; the message is
 * read back from Redis, which keeps the push in seq order.
 */
@Injectable()
export class MessageArrivals {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  stored(recipientId: string): void {
    this.emitter.emit('stored', recipientId);
  }

  deleted(recipientId: string): void {
    this.emitter.emit('deleted', recipientId);
  }

  onStored(listener: (recipientId: string) => void): void {
    this.emitter.on('stored', listener);
  }

  onDeleted(listener: (recipientId: string) => void): void {
    this.emitter.on('deleted', listener);
  }
}
