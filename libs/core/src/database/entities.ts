import { ApiKey } from '@marquee/auth/entities/api-key.entity.js';
import { RateLimitBucket } from '@marquee/auth/entities/rate-limit-bucket.entity.js';
import { RefreshToken } from '@marquee/auth/entities/refresh-token.entity.js';
import { Session } from '@marquee/auth/entities/session.entity.js';
import { User } from '@marquee/auth/entities/user.entity.js';
import { JobEvent } from '@marquee/jobs/entities/job-event.entity.js';
import { JobLog } from '@marquee/jobs/entities/job-log.entity.js';
import { JobRun } from '@marquee/jobs/entities/job-run.entity.js';
import { ItemArtwork } from '@marquee/library/entities/item-artwork.entity.js';
import { ItemEdit } from '@marquee/library/entities/item-edit.entity.js';
import { Library } from '@marquee/library/entities/library.entity.js';
import { MediaFile } from '@marquee/library/entities/media-file.entity.js';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { MediaStream } from '@marquee/library/entities/media-stream.entity.js';
import { UnreadableFile } from '@marquee/library/entities/unreadable-file.entity.js';
import { UserItemData } from '@marquee/users-data/entities/user-item-data.entity.js';
import { PlayHistoryEntry } from '@marquee/users-data/entities/play-history.entity.js';
import { PlayQueue } from '@marquee/users-data/entities/play-queue.entity.js';
import { PlayQueueEntry } from '@marquee/users-data/entities/play-queue-entry.entity.js';
import { Playlist } from '@marquee/users-data/entities/playlist.entity.js';
import { PlaylistEntry } from '@marquee/users-data/entities/playlist-entry.entity.js';
import { Setting } from '@marquee/system/entities/setting.entity.js';
import { WorkerHeartbeat } from '@marquee/system/entities/worker-heartbeat.entity.js';
import { HlsTranscode } from '@marquee/streaming/hls/sessions/hls-transcode.entity.js';
import { Plugin } from '@marquee/plugins/entities/plugin.entity.js';

/**
 * Every entity of every feature lib. Each lib owns its entity files; this list is the one place the
 * DataSource (and so the migration generator) learns about them.
 */
export const ENTITIES = [
  User,
  Session,
  RefreshToken,
  ApiKey,
  RateLimitBucket,
  Library,
  MediaItem,
  MediaFile,
  MediaStream,
  UnreadableFile,
  ItemArtwork,
  ItemEdit,
  UserItemData,
  PlayHistoryEntry,
  Playlist,
  PlaylistEntry,
  PlayQueue,
  PlayQueueEntry,
  JobRun,
  JobLog,
  JobEvent,
  WorkerHeartbeat,
  Setting,
  HlsTranscode,
  Plugin,
];
