export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const LIBRARY_KINDS = ['movies', 'series', 'music', 'images', 'mixed'] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

export const MEDIA_ITEM_TYPES = ['movie', 'extra', 'series', 'season', 'episode', 'artist', 'album', 'track', 'gallery', 'image'] as const;
export type MediaItemType = (typeof MEDIA_ITEM_TYPES)[number];

export const MEDIA_STREAM_TYPES = ['video', 'audio', 'subtitle', 'attachment', 'data'] as const;
export type MediaStreamType = (typeof MEDIA_STREAM_TYPES)[number];

export const JOB_STATES = ['queued', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
