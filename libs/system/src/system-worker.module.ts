import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule } from '@marquee/core';
import { WorkerHeartbeat } from './entities/worker-heartbeat.entity.js';
import { WorkerHeartbeatService } from './worker-heartbeat.service.js';

/** The worker side of system: the readiness heartbeat. */
@Module({
  imports: [HealthModule, TypeOrmModule.forFeature([WorkerHeartbeat])],
  providers: [WorkerHeartbeatService],
})
export class SystemWorkerModule {}
