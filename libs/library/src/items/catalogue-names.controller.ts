import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogueNamesService } from './catalogue-names.service.js';
import { NamesQueryDto, PeopleQueryDto } from './dto.js';

@ApiTags('items')
@ApiBearerAuth()
@Controller()
export class CatalogueNamesController {
  constructor(private readonly names: CatalogueNamesService) {}

  @Get('genres')
  @ApiOperation({ summary: 'Genres with how many items carry each (GET items?genre= lists them), by name or most used' })
  genres(@Query() query: NamesQueryDto) {
    return this.names.genres(query);
  }

  @Get('studios')
  @ApiOperation({ summary: 'Studios with how many items carry each (GET items?studio= lists them), by name or most used' })
  studios(@Query() query: NamesQueryDto) {
    return this.names.studios(query);
  }

  @Get('people')
  @ApiOperation({ summary: 'People with their roles and how many items they appear in (GET items?person= lists them)' })
  people(@Query() query: PeopleQueryDto) {
    return this.names.people(query);
  }
}
