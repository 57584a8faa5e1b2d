import { Module } from '@nestjs/common';
import { HealthController, HealthModule } from '@marquee/core';
import { SystemStatusService } from './system-status.service.js';
import { SystemController } from './system.controller.js';

/** The api side of system: liveness, readiness and status. */
@Module({
  imports: [HealthModule],
  controllers: [HealthController, SystemController],
  providers: [SystemStatusService],
})
export class SystemHttpModule {}
