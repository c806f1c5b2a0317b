import { Module } from '@nestjs/common';
import { FaultInjector } from './fault-injector';
import { FaultSettings } from './fault-settings';
import { FaultsController } from './faults.controller';
import { AdminTokenGuard } from './admin-token.guard';

@Module({
  controllers: [FaultsController],
  providers: [FaultSettings, FaultInjector, AdminTokenGuard],
  exports: [FaultInjector],
})
export class FaultsModule {}
