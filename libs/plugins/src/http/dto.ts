import { ApiPropertyOptional } from '@nestjs/swagger';
import type { NetworkPolicyView, UpdatePluginRequest } from '@marquee/contracts';
import { IsBoolean, IsHexadecimal, IsObject, IsOptional, Length } from 'class-validator';

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
}

export class InstallQueryDto {
  @ApiPropertyOptional({ description: 'Expected sha256 of a raw archive body (hex)' })
  @IsOptional()
  @IsHexadecimal()
  @Length(64, 64)
  sha256?: string;
}
