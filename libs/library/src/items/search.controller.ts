import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { SearchQueryDto } from './dto.js';
import { ItemsQueryService } from './items-query.service.js';

@ApiTags('items')
@ApiBearerAuth()
@Controller('search')
export class SearchController {
  constructor(private readonly items: ItemsQueryService) {}

  @Get()
  @ApiOperation({ summary: 'Full-text search over titles, artists, albums and people; prefixes match, accents are ignored' })
  search(@Query() query: SearchQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.items.search(query.q, query.limit, query.offset, principal.userId);
  }
}
