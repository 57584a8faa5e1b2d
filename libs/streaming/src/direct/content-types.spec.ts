import { contentTypeFor } from './content-types.js';

describe('contentTypeFor', () => {
  it.each([
    ['mkv', '/m/film.mkv', 'video', 'video/x-matroska'],
    ['mkv', '/m/album/track.mka', 'audio', 'audio/x-matroska'],
    ['mp4', '/m/film.mp4', 'video', 'video/mp4'],
    ['m4v', '/m/film.m4v', 'video', 'video/mp4'],
    ['webm', '/m/clip.webm', 'video', 'video/webm'],
    ['webm', '/m/song.webm', 'audio', 'audio/webm'],
    ['mov', '/m/clip.mov', 'video', 'video/quicktime'],
    ['ts', '/m/rec.ts', 'video', 'video/mp2t'],
    ['avi', '/m/old.avi', 'video', 'video/x-msvideo'],
    ['mp3', '/m/song.mp3', 'audio', 'audio/mpeg'],
    ['flac', '/m/song.flac', 'audio', 'audio/flac'],
    ['m4a', '/m/song.m4a', 'audio', 'audio/mp4'],
    ['ogg', '/m/song.ogg', 'audio', 'audio/ogg'],
    ['opus', '/m/song.opus', 'audio', 'audio/ogg'],
    ['wav', '/m/song.wav', 'audio', 'audio/wav'],
    [null, '/m/photo.JPG', 'image', 'image/jpeg'],
    [null, '/m/photo.png', 'image', 'image/png'],
    [null, '/m/photo.webp', 'image', 'image/webp'],
    // The probe knows better than the name.
    ['mkv', '/m/lying.mp4', 'video', 'video/x-matroska'],
    // Not probed yet: the extension.
    [null, '/m/film.mkv', 'video', 'video/x-matroska'],
    ['somethingodd', '/m/film.mp4', 'video', 'video/mp4'],
    [null, '/m/unknown.xyz', 'video', 'application/octet-stream'],
    [null, '/m/no-extension', 'audio', 'application/octet-stream'],
  ] as const)('%s %s (%s) → %s', (container, path, category, type) => {
    expect(contentTypeFor({ container, path, category })).toBe(type);
  });
});
