import { Body, Controller, Get, Put, UseGuards } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { parseRequest } from '../http/parse-request';
import { AdminTokenGuard } from './admin-token.guard';
import { FaultSettings, FaultSettingsPatch, Faults } from './fault-settings';

@Controller('admin/faults')
@UseGuards(AdminTokenGuard)
export class FaultsController {
  constructor(
    private readonly settings: FaultSettings,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(FaultsController.name);
  }

  @Get()
  current(): Faults {
    return this.settings.get();
  }

  @Put()
  update(@Body() body: unknown): Faults {
    const faults = this.settings.merge(parseRequest(FaultSettingsPatch, body));
    this.logger.info({ faults }, 'faults changed');
    return faults;
  }
}
