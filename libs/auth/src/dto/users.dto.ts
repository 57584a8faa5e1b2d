import { ApiPropertyOptional } from '@nestjs/swagger';
import { USER_ROLES, type UserRole } from '@marquee/contracts';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { MAX_PASSWORD_LENGTH } from '../passwords/password-policy.js';
import { RegisterDto } from './auth.dto.js';

export class CreateUserDto extends RegisterDto {
  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'Reset the password (ends every session of the user)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Length(1, 64)
  displayName?: string | null;
}

export class SettingsDto {
  @ApiPropertyOptional({ description: 'Whether anyone may register an account' })
  @IsOptional()
  @IsBoolean()
  registrationOpen?: boolean;

  @ApiPropertyOptional({ description: 'Whether the fingerprint job also computes a perceptual hash of every new or changed video' })
  @IsOptional()
  @IsBoolean()
  videoPhash?: boolean;
}
