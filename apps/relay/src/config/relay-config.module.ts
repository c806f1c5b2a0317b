import { Global, Module } from '@nestjs/common';
import { RELAY_CONFIG, RelayConfig, loadRelayConfig } from './relay-config';

@Global()
@Module({})
export class RelayConfigModule {
  /** main.ts loads the config before Nest starts (so a bad env exits 1 early) and hands it in here. */
  static forRoot(config: RelayConfig = loadRelayConfig()) {
    return {
      module: RelayConfigModule,
      providers: [{ provide: RELAY_CONFIG, useValue: config }],
      exports: [RELAY_CONFIG],
    };
  }
}
