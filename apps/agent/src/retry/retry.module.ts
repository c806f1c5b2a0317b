import { Global, Module } from '@nestjs/common';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { RetryPolicy } from './retry-policy';

@Global()
@Module({
  providers: [
    {
      provide: RetryPolicy,
      inject: [AGENT_CONFIG],
      useFactory: (c: AgentConfig) => new RetryPolicy({ baseMs: c.RETRY_BASE_MS, factor: c.RETRY_FACTOR, maxMs: c.RETRY_MAX_MS }),
    },
  ],
  exports: [RetryPolicy],
})
export class RetryModule {}
