import { ApiPropertyOptional } from '@nestjs/swagger';
import type { NetworkPolicyView, UpdatePluginRequest } from '@marquee/contracts';
import { ArrayMaxSize, IsArray, IsBoolean, IsHexadecimal, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { HOST_PATTERN } from '../manifest/manifest-schema.js';

export class UpdatePluginDto implements UpdatePluginRequest {
  @ApiPropertyOptional({ description: 'Run it (identify, scrape) or not' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description: 'Values by setting name, checked against the manifest; null clears one. Secrets are stored encrypted and never returned.',
    example: { language: 'en', apiKey: 'secret' },
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, string | number | boolean | null>;
}

export class NetworkPolicyDto implements Partial<NetworkPolicyView> {
  @ApiPropertyOptional({ description: 'Let scrapers, plugins and artwork downloads reach loopback and private addresses' })
  @IsOptional()
  @IsBoolean()
  allowPrivateNetworks?: boolean;

  @ApiPropertyOptional({
    description: 'Hosts that may be reached at a private address even while private networks are refused (replaces the list)',
    example: ['metadata.lan:8080'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @Matches(new RegExp(HOST_PATTERN), {
    each: true,
    message: 'each of allowedPrivateHosts must be a host pattern such as "metadata.lan", "*.lan" or "192.168.1.20:8080"',
  })
  allowedPrivateHosts?: string[];
}

export class InstallQueryDto {
  @ApiPropertyOptional({ description: 'Expected sha256 of a raw archive body (hex)' })
  @IsOptional()
  @IsHexadecimal()
  @Length(64, 64)
  sha256?: string;
}
