import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Setting } from './entities/setting.entity.js';

/** Server-wide settings, stored as JSON by key. */
@Injectable()
export class SettingsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    const row = await this.dataSource.getRepository(Setting).findOneBy({ key });
    return row ? (row.value as T) : fallback;
  }

  async set<T>(key: string, value: T): Promise<T> {
    await this.dataSource.getRepository(Setting).upsert({ key, value: value as object }, ['key']);
    return value;
  }
}
