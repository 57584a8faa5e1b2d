import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runFfmpeg } from '@marquee/media/ffmpeg/run-ffmpeg.js';

/** The library folders of the demo, each its own library (named after the folder) at first start. */
export const DEMO_FOLDERS = ['Films', 'Series', 'Music', 'Pictures'] as const;

/** Written last: a demo folder without it was interrupted and is generated again. */
export const DEMO_MARKER = '.marquee-demo';

const FFMPEG_TIMEOUT_MS = 120_000;

interface DemoFile {
  path: string;
  describe: string;
  write: (ffmpeg: string, path: string) => Promise<void>;
}

const lavfi = (graph: string) => ['-f', 'lavfi', '-i', graph];
const tone = (hz: number, seconds: number, sampleRate = 48_000) =>
  lavfi(`sine=frequency=${hz}:sample_rate=${sampleRate}:duration=${seconds}`);
const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p', '-g', '50'];
const aac = ['-c:a', 'aac', '-ac', '2', '-b:a', '128k'];
const metadata = (tags: Record<string, string>) => Object.entries(tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);

function ffmpegRun(ffmpeg: string, args: string[]): Promise<void> {
  return runFfmpeg(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { timeoutMs: FFMPEG_TIMEOUT_MS });
}

function video(options: {
  seconds: number;
  size: string;
  source: string;
  container: 'matroska' | 'mp4';
  title: string;
  subtitles?: string;
}) {
  return async (ffmpeg: string, path: string) => {
    const inputs = [...lavfi(`${options.source}=size=${options.size}:rate=25`), ...tone(330, options.seconds)];
    const maps = ['-map', '0:v', '-map', '1:a'];
    const codecs = [...h264, ...aac];
    if (options.subtitles) {
      inputs.push('-i', options.subtitles);
      maps.push('-map', '2:s');
      codecs.push('-c:s', 'srt', '-metadata:s:s:0', 'language=eng');
    }
    await ffmpegRun(ffmpeg, [
      ...inputs,
      ...maps,
      ...codecs,
      '-metadata:s:a:0',
      'language=eng',
      ...metadata({ title: options.title }),
      '-t',
      String(options.seconds),
      '-f',
      options.container,
      path,
    ]);
  };
}

function flac(options: { hz: number; seconds: number; tags: Record<string, string> }) {
  return (ffmpeg: string, path: string) =>
    ffmpegRun(ffmpeg, [
      ...tone(options.hz, options.seconds, 96_000),
      '-c:a',
      'flac',
      '-sample_fmt',
      's32',
      '-bits_per_raw_sample',
      '24',
      ...metadata(options.tags),
      '-f',
      'flac',
      path,
    ]);
}

function mp3(options: { hz: number; seconds: number; tags: Record<string, string> }) {
  return (ffmpeg: string, path: string) =>
    ffmpegRun(ffmpeg, [
      ...tone(options.hz, options.seconds, 44_100),
      '-c:a',
      'libmp3lame',
      '-b:a',
      '192k',
      '-id3v2_version',
      '3',
      ...metadata(options.tags),
      '-f',
      'mp3',
      path,
    ]);
}

function picture(source: string, size: string, at = 0) {
  return (ffmpeg: string, path: string) =>
    ffmpegRun(ffmpeg, [...lavfi(`${source}=size=${size}:rate=25`), '-ss', String(at), '-frames:v', '1', '-q:v', '3', path]);
}

function text(content: string) {
  return (_ffmpeg: string, path: string) => writeFile(path, content);
}

const SUBTITLES = `1
00:00:01,000 --> 00:00:05,000
Welcome to Marquee.

2
00:00:06,000 --> 00:00:12,000
This film was made by ffmpeg a moment ago.

3
00:00:20,000 --> 00:00:30,000
Subtitles, trickplay and HLS all work on it.
`;

const SIDECAR_SUBTITLES = 'Films/Colour Bars (1999)/Colour Bars (1999).en.srt';

const album = { ARTIST: 'The Test Tones', ALBUMARTIST: 'The Test Tones', ALBUM: 'Pure Tones', DATE: '2024', GENRE: 'Electronic' };

/**
 * What the demo holds: two films (one Matroska with an NFO and embedded subtitles, one MP4 for direct play with
 * a sidecar .srt), a
 * series with two episodes, a 24-bit/96 kHz FLAC album with its cover and an MP3 single, and a small
 * gallery. Sources are ffmpeg's test patterns and tones, so nothing is downloaded.
 */
export function demoFiles(): DemoFile[] {
  return [
    {
      path: SIDECAR_SUBTITLES,
      describe: 'English subtitles beside a film',
      write: text(SUBTITLES),
    },
    {
      path: 'Films/Test Pattern (2024)/Test Pattern (2024).mkv',
      describe: 'a 60 s 720p film (Matroska, H.264 + AAC, English subtitles)',
      write: (ffmpeg, path) =>
        video({
          seconds: 60,
          size: '1280x720',
          source: 'testsrc2',
          container: 'matroska',
          title: 'Test Pattern',
          subtitles: join(dirname(path), '..', '..', SIDECAR_SUBTITLES),
        })(ffmpeg, path),
    },
    {
      path: 'Films/Test Pattern (2024)/movie.nfo',
      describe: "the film's NFO",
      write: text(
        `<?xml version="1.0" encoding="UTF-8"?>\n<movie>\n  <title>Test Pattern</title>\n  <year>2024</year>\n` +
          `  <plot>A minute of moving colour bars and a counting clock, generated for the Marquee demo.</plot>\n` +
          `  <genre>Documentary</genre>\n  <genre>Short</genre>\n  <director>ffmpeg</director>\n</movie>\n`,
      ),
    },
    {
      path: 'Films/Colour Bars (1999)/Colour Bars (1999).mp4',
      describe: 'a 30 s 360p film (MP4, plays directly in every browser)',
      write: video({ seconds: 30, size: '640x360', source: 'smptehdbars', container: 'mp4', title: 'Colour Bars' }),
    },
    {
      path: 'Series/Signal Hour/tvshow.nfo',
      describe: "the series' NFO",
      write: text(
        `<?xml version="1.0" encoding="UTF-8"?>\n<tvshow>\n  <title>Signal Hour</title>\n  <year>2024</year>\n` +
          `  <plot>A series of test signals.</plot>\n  <genre>Science</genre>\n</tvshow>\n`,
      ),
    },
    {
      path: 'Series/Signal Hour/Season 01/Signal Hour - S01E01 - Bars.mp4',
      describe: 'episode 1',
      write: video({ seconds: 20, size: '640x360', source: 'smptebars', container: 'mp4', title: 'Bars' }),
    },
    {
      path: 'Series/Signal Hour/Season 01/Signal Hour - S01E02 - Fractal.mp4',
      describe: 'episode 2',
      write: video({ seconds: 20, size: '640x360', source: 'mandelbrot', container: 'mp4', title: 'Fractal' }),
    },
    {
      path: 'Music/The Test Tones/Pure Tones (2024)/01 - A 440.flac',
      describe: 'a 24-bit/96 kHz FLAC track',
      write: flac({ hz: 440, seconds: 30, tags: { ...album, TITLE: 'A 440', TRACKNUMBER: '1' } }),
    },
    {
      path: 'Music/The Test Tones/Pure Tones (2024)/02 - E 659.flac',
      describe: 'a 24-bit/96 kHz FLAC track',
      write: flac({ hz: 659, seconds: 30, tags: { ...album, TITLE: 'E 659', TRACKNUMBER: '2' } }),
    },
    {
      path: 'Music/The Test Tones/Pure Tones (2024)/cover.jpg',
      describe: "the album's cover",
      write: picture('mandelbrot', '600x600'),
    },
    {
      path: 'Music/Sine Collective/Middle C (2023)/01 - Middle C.mp3',
      describe: 'an MP3 single',
      write: mp3({
        hz: 262,
        seconds: 30,
        tags: {
          artist: 'Sine Collective',
          album_artist: 'Sine Collective',
          album: 'Middle C',
          title: 'Middle C',
          date: '2023',
          track: '1',
        },
      }),
    },
    ...[0, 2, 4, 6, 8, 10].map((at, index) => ({
      path: `Pictures/Test Cards/card-${index + 1}.jpg`,
      describe: 'a picture',
      write: picture('testsrc2', '1600x1200', at),
    })),
  ];
}

/** Generates the demo under `root` (replacing an interrupted earlier try); reports each file. */
export async function generateDemoLibrary(root: string, ffmpeg: string, report: (line: string) => void = () => {}): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const file of demoFiles()) {
    const path = join(root, file.path);
    await mkdir(dirname(path), { recursive: true });
    report(`${file.describe}: ${file.path}`);
    await file.write(ffmpeg, path);
  }
  await writeFile(join(root, DEMO_MARKER), `Generated by npm run demo on ${new Date().toISOString()}\n`);
}
