import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import type { SystemStatus } from '@marquee/contracts';
import { SystemStatusService } from './system-status.service.js';

@ApiTags('system')
@ApiBearerAuth()
@AdminOnly()
@Controller('system')
export class SystemController {
  constructor(private readonly status: SystemStatusService) {}

  @Get('status')
  @ApiOperation({ summary: 'Version, backends in use, workers seen (with their readiness) and counts' })
  getStatus(): Promise<SystemStatus> {
    return this.status.status();
  }
}
