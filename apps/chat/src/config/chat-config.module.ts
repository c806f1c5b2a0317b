import { Global, Module } from '@nestjs/common';
import { CHAT_CONFIG, loadChatConfig } from './chat-config';

/** The chat's validated env (CHAT_CONFIG), for every module. */
@Global()
@Module({
  providers: [{ provide: CHAT_CONFIG, useFactory: () => loadChatConfig() }],
  exports: [CHAT_CONFIG],
})
export class ChatConfigModule {}
