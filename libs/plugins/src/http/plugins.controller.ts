import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import type { NetworkPolicyView, PluginView } from '@marquee/contracts';
import { ValidationProblem } from '@marquee/core';
import type { Request } from 'express';
import { NetworkPolicyService } from '../network/network-policy.service.js';
import { PluginsService } from '../plugins.service.js';
import { InstallQueryDto, NetworkPolicyDto, UpdatePluginDto } from './dto.js';

@ApiTags('plugins')
@ApiBearerAuth()
@AdminOnly()
@Controller('plugins')
export class PluginsController {
  constructor(
    private readonly plugins: PluginsService,
    private readonly network: NetworkPolicyService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Installed plugins with their manifest, state and settings (secrets only say whether they are set)' })
  list() {
    return this.plugins.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Install a plugin from an uploaded archive or a server folder',
    description:
      'An archive: a raw body with Content-Type application/zip or application/gzip (optional `?sha256=`), or multipart/form-data ' +
      'with a `file` part and an optional `sha256` field. A folder: JSON `{"folder": "/absolute/path"}`, copied into the data dir. ' +
      'The manifest is checked against its JSON Schema; entries with `..`, absolute names or symlinks refuse the package. ' +
      'A new plugin starts disabled; installing an installed id again replaces its files and keeps its settings.',
  })
  @ApiConsumes('application/json', 'application/zip', 'application/gzip', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'object', properties: { folder: { type: 'string' } } },
        { type: 'string', format: 'binary' },
      ],
    },
  })
  install(@Req() req: Request, @Query() query: InstallQueryDto): Promise<PluginView> {
    if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      const body = req.body as unknown;
      const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
      const unknown = keys.filter((key) => key !== 'folder');
      const folder = (body as { folder?: unknown } | null)?.folder;
      if (unknown.length || typeof folder !== 'string' || folder.trim() === '') {
        throw new ValidationProblem([
          ...(typeof folder === 'string' && folder.trim()
            ? []
            : [{ field: 'folder', message: 'folder must be an absolute path on the server' }]),
          ...unknown.map((key) => ({ field: key, message: `property ${key} should not exist` })),
        ]);
      }
      return this.plugins.installFolder(folder);
    }
    return this.plugins.installArchive(req, query.sha256);
  }

  @Get('network-policy')
  @ApiOperation({ summary: 'Whether fetches may reach loopback and private networks (refused by default: SSRF protection)' })
  networkPolicy(): Promise<NetworkPolicyView> {
    return this.network.get();
  }

  @Patch('network-policy')
  @ApiOperation({ summary: 'Allow or refuse fetches to loopback, private, link-local, CGNAT and ULA addresses' })
  updateNetworkPolicy(@Body() dto: NetworkPolicyDto): Promise<NetworkPolicyView> {
    return this.network.update(dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a plugin, or change its settings (secrets are encrypted at rest and never returned)' })
  update(@Param('id') id: string, @Body() dto: UpdatePluginDto): Promise<PluginView> {
    return this.plugins.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a plugin: its record, settings and files' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.plugins.remove(id);
  }
}
