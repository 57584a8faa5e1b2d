import { Body, Controller, Get, Patch } from '@nestjs/common';
import type { ServerSettingsView } from '@marquee/contracts';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SettingsService } from '@marquee/system/settings.service.js';
import { VIDEO_PHASH_SETTING } from '@marquee/system/video-phash-setting.js';
import { AdminOnly } from '../decorators.js';
import { SettingsDto } from '../dto/users.dto.js';
import { REGISTRATION_OPEN_SETTING } from '../users/users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@AdminOnly()
@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  async get(): Promise<ServerSettingsView> {
    return {
      registrationOpen: await this.settings.get(REGISTRATION_OPEN_SETTING, false),
      videoPhash: await this.settings.get(VIDEO_PHASH_SETTING, false),
    };
  }

  @Patch()
  async update(@Body() dto: SettingsDto): Promise<ServerSettingsView> {
    if (dto.registrationOpen !== undefined) await this.settings.set(REGISTRATION_OPEN_SETTING, dto.registrationOpen);
    if (dto.videoPhash !== undefined) await this.settings.set(VIDEO_PHASH_SETTING, dto.videoPhash);
    return this.get();
  }
}
