// Streaming: direct play (HTTP ranges), HLS transcoded on demand, subtitles, trickplay, playback decisions.
export * from './direct/direct-stream.module.js';
export * from './playback/playback.module.js';
export * from './subtitles/index.js';
export * from './trickplay/index.js';
export * from './hls/hls-http.module.js';
export * from './hls/hls-worker.module.js';
export * from './derived-files/derived-files-worker.module.js';
