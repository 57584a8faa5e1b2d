import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { resolveBinary } from '@marquee/core/binaries/resolve-binary.js';
import { readAudioTags } from '@marquee/media/audio/read-audio-tags.js';
import { classifyPath } from '@marquee/media/naming/classify-path.js';
import { probeFile } from '@marquee/media/probe/probe-file.js';
import { DEMO_FOLDERS, DEMO_MARKER, demoFiles, generateDemoLibrary } from './demo-library.js';

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the demo library (npm run demo)', () => {
  let root: string;
  const ffprobe = () => resolveBinary('ffprobe', process.env.FFPROBE_PATH).path;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'marquee-demo-'));
    await generateDemoLibrary(root, resolveBinary('ffmpeg', process.env.FFMPEG_PATH).path);
  }, 180_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes every file it announces, and its marker last', async () => {
    for (const file of demoFiles()) expect(existsSync(join(root, file.path))).toBe(true);
    expect(existsSync(join(root, DEMO_MARKER))).toBe(true);
    const onDisk = (await filesUnder(root)).map((path) => relative(root, path)).sort();
    expect(onDisk).toEqual([...demoFiles().map((file) => file.path), DEMO_MARKER].sort());
  });

  it("is catalogued as what it is meant to be by the scanner's classification (each folder a mixed library)", async () => {
    const classified: Record<string, string[]> = {};
    for (const folder of DEMO_FOLDERS) {
      for (const path of await filesUnder(join(root, folder))) {
        const result = classifyPath('mixed', relative(join(root, folder), path));
        const label =
          result.kind === 'movie'
            ? `movie ${result.movie.title} (${result.movie.year})`
            : result.kind === 'episode'
              ? `episode ${result.episode.seriesTitle} S${result.episode.seasonNumber}E${result.episode.episodeNumbers.join('E')}`
              : result.kind === 'image'
                ? `image in ${result.galleryDir}`
                : result.kind === 'sidecar'
                  ? `sidecar ${result.sidecar}`
                  : result.kind;
        (classified[folder] ??= []).push(label);
      }
    }
    expect(classified.Films.sort()).toEqual(
      ['movie Colour Bars (1999)', 'movie Test Pattern (2024)', 'sidecar nfo', 'sidecar subtitle'].sort(),
    );
    expect(classified.Series.sort()).toEqual(['episode Signal Hour S1E1', 'episode Signal Hour S1E2', 'sidecar nfo'].sort());
    expect(classified.Music.sort()).toEqual(['sidecar artwork', 'track', 'track', 'track']);
    expect(classified.Pictures).toEqual(Array(6).fill('image in Test Cards'));
  });

  it('holds real media: a 60 s film with audio and subtitles, 24-bit/96 kHz FLAC with tags, a tagged MP3', async () => {
    const film = await probeFile(ffprobe(), join(root, 'Films/Test Pattern (2024)/Test Pattern (2024).mkv'), { timeoutMs: 30_000 });
    expect(film.durationMs).toBeGreaterThan(59_000);
    expect(film.durationMs).toBeLessThan(61_000);
    expect(film.streams.map((stream) => `${stream.type}:${stream.codec}`)).toEqual(['video:h264', 'audio:aac', 'subtitle:subrip']);
    expect(film.streams[0]).toMatchObject({ width: 1280, height: 720 });

    const track = await readAudioTags(join(root, 'Music/The Test Tones/Pure Tones (2024)/01 - A 440.flac'));
    expect(track).toMatchObject({
      title: 'A 440',
      artists: ['The Test Tones'],
      album: 'Pure Tones',
      trackNumber: 1,
      bitDepth: 24,
      sampleRate: 96_000,
      genres: ['Electronic'],
    });

    const single = await readAudioTags(join(root, 'Music/Sine Collective/Middle C (2023)/01 - Middle C.mp3'));
    expect(single).toMatchObject({ title: 'Middle C', artists: ['Sine Collective'], album: 'Middle C', year: 2023 });
  });
});
