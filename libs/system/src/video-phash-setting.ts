/**
 * Runtime setting (admin, `PATCH settings {"videoPhash": true}`): the fingerprint job also computes a
 * video perceptual hash, at the cost of 25 frame grabs per video. Off by default.
 */
export const VIDEO_PHASH_SETTING = 'library.videoPhash';
