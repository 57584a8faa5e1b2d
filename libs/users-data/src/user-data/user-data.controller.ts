import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { ResumeQueryDto, TypeFilterQueryDto, UpdateUserDataDto } from '../dto.js';
import { DEFAULT_RESUME_TYPES, UserDataService } from './user-data.service.js';

@ApiTags('user data')
@ApiBearerAuth()
@Controller()
export class UserDataController {
  constructor(private readonly userData: UserDataService) {}

  @Get('items/:id/user-data')
  @ApiOperation({ summary: 'Your state of an item: played, play count, resume position, favourite, rating, last played' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.userData.get(principal.userId, id);
  }

  @Put('items/:id/user-data')
  @ApiOperation({
    summary:
      'Change your state of an item; played cascades over a series, season, artist, album or gallery; a position at or past 90 % marks it played',
  })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDataDto, @CurrentPrincipal() principal: Principal) {
    return this.userData.update(principal.userId, id, dto);
  }

  @Post('items/:id/played')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark played, with everything under a series, season, artist, album or gallery' })
  markPlayed(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.userData.markPlayed(principal.userId, id, true);
  }

  @Delete('items/:id/played')
  @ApiOperation({ summary: 'Mark unplayed (plays and resume point cleared), with everything under a container' })
  markUnplayed(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.userData.markPlayed(principal.userId, id, false);
  }

  @Get('me/resume')
  @ApiOperation({ summary: 'Continue watching: started items (latest first) and the next episode of each series in progress' })
  resume(@Query() query: ResumeQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.userData.resume(principal.userId, query.type ?? DEFAULT_RESUME_TYPES, query.limit, query.offset);
  }

  @Get('me/favorites')
  @ApiOperation({ summary: 'Your favourites, by title' })
  favorites(@Query() query: TypeFilterQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.userData.favorites(principal.userId, query.type, query.limit, query.offset);
  }
}
