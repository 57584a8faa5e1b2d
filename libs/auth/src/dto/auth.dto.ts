import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH } from '../passwords/password-policy.js';

export const USERNAME_PATTERN = /^[\p{L}\p{N}._-]{2,64}$/u;

export class RegisterDto {
  @ApiProperty({ example: 'ripley' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 2–64 letters, digits, dots, dashes or underscores' })
  username: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  displayName?: string;
}

export class LoginDto {
  @ApiProperty({ description: 'Username or email' })
  @IsString()
  @Length(1, 254)
  username: string;

  @ApiProperty()
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  password: string;
}

export class RefreshDto {
  @ApiPropertyOptional({ description: 'Omit when the refresh token travels in the httpOnly cookie' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  currentPassword: string;

  @ApiProperty()
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  newPassword: string;
}
