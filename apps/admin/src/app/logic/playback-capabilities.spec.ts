import { capabilitiesQuery, playbackCapabilities } from './playback-capabilities.js';

describe('playback capabilities', () => {
  it('declares what the browser says it plays', () => {
    const chromiumLike = (mime: string) => !mime.includes('hvc1') && !mime.includes('av01') && !mime.includes('wav');
    expect(playbackCapabilities(chromiumLike)).toEqual({
      containers: ['mp4', 'webm', 'mp3', 'flac', 'ogg'],
      videoCodecs: ['h264', 'vp9'],
      audioCodecs: ['aac', 'mp3', 'opus', 'flac', 'vorbis'],
    });
    expect(playbackCapabilities(() => false, 720)).toEqual({ containers: [], videoCodecs: [], audioCodecs: [], maxHeight: 720 });
  });

  it('turns them into the query of GET items/:id/playback', () => {
    expect(capabilitiesQuery({ containers: ['mp4', 'webm'], videoCodecs: ['h264'], audioCodecs: [], maxHeight: 1080 })).toEqual({
      containers: 'mp4,webm',
      videoCodecs: 'h264',
      maxHeight: 1080,
    });
  });
});
