import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SystemStatus } from '@marquee/contracts';
import { SystemStatusService } from './system-status.service.js';

@ApiTags('system')
@Controller('system')
export class SystemController {
  constructor(private readonly status: SystemStatusService) {}

  @Get('status')
  @ApiOperation({ summary: 'Version, backends in use, workers seen (with their readiness) and counts' })
  getStatus(): Promise<SystemStatus> {
    return this.status.status();
  }
}
