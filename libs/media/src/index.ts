export * from './ffmpeg/run-ffmpeg.js';
