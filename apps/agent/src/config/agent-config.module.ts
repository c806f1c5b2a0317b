import { Global, Module } from '@nestjs/common';
import { AGENT_CONFIG, loadAgentConfig } from './agent-config';

@Global()
@Module({
  providers: [{ provide: AGENT_CONFIG, useFactory: () => loadAgentConfig() }],
  exports: [AGENT_CONFIG],
})
export class AgentConfigModule {}
