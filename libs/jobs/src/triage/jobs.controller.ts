import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import { JobIdParams, JobsQueryDto } from './dto.js';
import { JobsQueryService } from './jobs-query.service.js';
import { QueueAdminService } from './queue-admin.service.js';

@ApiTags('jobs')
@ApiBearerAuth()
@AdminOnly()
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsQueryService,
    private readonly admin: QueueAdminService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The job ledger, filtered and paged (no payloads, results or stacks)' })
  list(@Query() query: JobsQueryDto) {
    return this.jobs.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job: payload, attempts, error and stack, progress, log lines and timings' })
  get(@Param() { id }: JobIdParams) {
    return this.jobs.get(id);
  }

  @Post(':id/retry')
  @HttpCode(201)
  @ApiOperation({ summary: 'Run a failed or cancelled job again, as a new job ahead of the backlog' })
  retry(@Param() { id }: JobIdParams) {
    return this.admin.retry(id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a waiting job, or stop a running one (its worker aborts it within about a second)' })
  cancel(@Param() { id }: JobIdParams) {
    return this.admin.cancel(id);
  }
}
