import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, BullBoardModuleOptions } from '@bull-board/nestjs';
import { Logger, Module } from '@nestjs/common';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { basicAuth } from './basic-auth.middleware';
import { boardCredentials } from './board-credentials';
import { boardSettings } from './board-settings';
import { readOnlyBoard } from './read-only.middleware';
import { BoardQueues } from './board-queues';

export const BOARD_ROUTE = '/queues';

// @bull-board/express carries its own copy of @bull-board/api (9.10.1 beside our 9.10.2): the same
// shapes, but TypeScript sees two declarations of a private field. Only the types differ.
const EXPRESS_ADAPTER = ExpressAdapter as unknown as BullBoardModuleOptions['adapter'];

/** Bull Board at /queues: both contract queues (every shard, see BoardQueues), behind basic auth, read-only unless BULL_BOARD_READ_ONLY=false. */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      inject: [CHAT_CONFIG],
      useFactory: (config: ChatConfig) => {
        const credentials = boardCredentials(config);
        const settings = boardSettings();
        if (credentials.devDefault) {
          new Logger('BullBoard').warn(
            `BULL_BOARD_PASSWORD is not set: Bull Board at ${BOARD_ROUTE} uses the dev password for user "${credentials.user}" (set it; NODE_ENV=production refuses to start without it)`,
          );
        }
        const auth = basicAuth(credentials, settings);
        const middleware: typeof auth = settings.readOnly ? (req, res, next) => auth(req, res, (err?: unknown) => (err ? next(err) : readOnlyBoard(req, res, next))) : auth;
        return { route: BOARD_ROUTE, adapter: EXPRESS_ADAPTER, middleware, boardOptions: { uiConfig: { boardTitle: 'group-connections' } } };
      },
    }),
  ],
  providers: [BoardQueues],
})
export class BoardModule {}
