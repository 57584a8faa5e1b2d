import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HEALTH_ROUTES } from '@marquee/contracts';
import type { Response } from 'express';
import { Public } from '../http/public.decorator.js';
import { ReadinessService } from './readiness.service.js';

@ApiTags('system')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get(HEALTH_ROUTES.liveness)
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  live() {
    return { status: 'ok' };
  }

  @Get(HEALTH_ROUTES.readiness)
  @ApiOperation({ summary: 'Readiness: database, queue backend, Redis, disk, ffmpeg — 503 naming what is down' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const result = await this.readiness.check();
    res.status(result.status === 'error' ? 503 : 200);
    res.setHeader('Cache-Control', 'no-store');
    return result;
  }
}
