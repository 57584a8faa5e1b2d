import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import { CleanQueueDto, QueueConcurrencyDto, RetryFailedDto } from './dto.js';
import { QueueAdminService } from './queue-admin.service.js';

@ApiTags('jobs')
@ApiBearerAuth()
@AdminOnly()
@Controller('queues')
export class QueuesController {
  constructor(private readonly admin: QueueAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Every queue: paused, concurrency, counts per state, the last hour and an ETA' })
  list() {
    return this.admin.summaries();
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause the queue on every worker (running jobs finish)' })
  pause(@Param('name') name: string) {
    return this.admin.pause(this.admin.assertQueue(name));
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused queue' })
  resume(@Param('name') name: string) {
    return this.admin.resume(this.admin.assertQueue(name));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Set the concurrency per worker process; workers apply it within five seconds' })
  update(@Param('name') name: string, @Body() dto: QueueConcurrencyDto) {
    return this.admin.setConcurrency(this.admin.assertQueue(name), dto.concurrency);
  }

  @Post(':name/retry-failed')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run again every job that failed in the last `days` (default 7) and was not run again since' })
  retryFailed(@Param('name') name: string, @Body() dto: RetryFailedDto) {
    return this.admin.retryFailed(this.admin.assertQueue(name), dto.days);
  }

  @Post(':name/clean')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove finished jobs older than `olderThanDays` from the ledger and the queue' })
  clean(@Param('name') name: string, @Body() dto: CleanQueueDto) {
    return this.admin.clean(this.admin.assertQueue(name), dto.olderThanDays, dto.states);
  }
}
