import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { HlsPaths } from './hls-paths.js';

/** The HLS folders of this installation's data dir (shared by the api replicas and the workers). */
@Injectable()
export class HlsStorage extends HlsPaths {
  constructor(config: AppConfig) {
    super(config.dataDir);
  }
}
