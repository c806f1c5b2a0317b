import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardInstance, InjectBullBoard } from '@bull-board/nestjs';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { boardSettings } from './board-settings';

/**
 * Puts every shard of both contract queues on the board. With one shard a queue appears under its
 * own name, as before; with more, shard n appears as `shard-n:<name>` (the board keys queues by
 * name, and every shard has the same BullMQ name under its own prefix).
 */
@Injectable()
export class BoardQueues implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    @InjectShardedQueue(AGENT_COMMANDS_QUEUE) private readonly commands: ShardedQueue,
    @InjectShardedQueue(AGENT_EVENTS_QUEUE) private readonly events: ShardedQueue,
  ) {}

  onModuleInit(): void {
    for (const sharded of [this.commands, this.events]) {
      const many = sharded.shards.length > 1;
      for (const [n, queue] of sharded.shards.entries()) {
        // readOnlyMode also hides the action buttons in the UI (the middleware refuses the calls).
        const readOnlyMode = boardSettings().readOnly;
        this.board.addQueue(new BullMQAdapter(queue, many ? { readOnlyMode, prefix: `shard-${n}:`, displayName: `${sharded.name} (shard ${n} of ${sharded.shards.length})` } : { readOnlyMode }));
      }
    }
  }
}
