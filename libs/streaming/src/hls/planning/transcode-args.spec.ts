import { MAX_RUN_SEGMENTS } from '../hls.constants.js';
import { renditionLadder, type VideoRendition } from './ladder.js';
import { segmentPlan } from './segment-plan.js';
import { finishedSegments, transcodeCommand, type TranscodeRun, videoFilters } from './transcode-args.js';

const [video720, , , audio] = renditionLadder({ width: 1280, height: 720, frameRate: 25 }, true) as [
  VideoRendition,
  unknown,
  unknown,
  { kind: 'audio'; name: 'audio' },
];

const run = (overrides: Partial<TranscodeRun> = {}): TranscodeRun => ({
  sources: [{ path: '/media/films/Alien (1979).mkv', durationMs: 14_000 }],
  videoStreamIndex: 0,
  audioStreamIndex: 2,
  rendition: video720,
  plan: segmentPlan(14_000),
  startSegment: 0,
  workDir: '/data/transcodes/sessions/0b3c5a8e-6a61-4d1c-9d2b-0f7a3c2e1b9d',
  ...overrides,
});

const option = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};

describe('transcodeCommand', () => {
  it('encodes from the start with forced keyframes on every segment boundary, cut at the plan', () => {
    const { args, lastSegment, seconds } = transcodeCommand(run());
    expect(lastSegment).toBe(3);
    expect(seconds).toBe(14);
    expect(args).not.toContain('-ss');
    expect(option(args, '-i')).toBe('file:/media/films/Alien (1979).mkv');
    expect(args.filter((_, i) => args[i - 1] === '-map')).toEqual(['0:0', '0:2']);
    expect(option(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*4)');
    expect(option(args, '-vf')).toBe('scale=1280:720,setsar=1,format=yuv420p');
    expect(args).not.toContain('-color_trc');
    expect(option(args, '-level:v')).toBe('3.1');
    expect(option(args, '-maxrate')).toBe('3000k');
    expect(option(args, '-ac')).toBe('2');
    expect(option(args, '-c:a')).toBe('aac');
    // Timestamps start at 10 s; cuts sit at 10 + 4n on that timeline.
    expect(option(args, '-output_ts_offset')).toBe('10.000');
    expect(option(args, '-segment_times')).toBe('14.000,18.000,22.000');
    expect(option(args, '-segment_start_number')).toBe('0');
    expect(option(args, '-segment_list')).toBe(`${run().workDir}/segments.csv`);
    expect(args[args.length - 1]).toBe(`${run().workDir}/%d.ts`);
    expect(args).not.toContain('-t');
  });

  it('a seek starts the input at its segment and offsets the output by the same amount', () => {
    const { args, lastSegment } = transcodeCommand(run({ startSegment: 2 }));
    expect(lastSegment).toBe(3);
    expect(option(args, '-ss')).toBe('8.000');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(option(args, '-output_ts_offset')).toBe('18.000');
    expect(option(args, '-segment_times')).toBe('22.000');
    expect(option(args, '-segment_start_number')).toBe('2');
  });

  it('a run of the last segment alone still gives the muxer a cut point, past the end', () => {
    expect(option(transcodeCommand(run({ startSegment: 3 })).args, '-segment_times')).toBe('28.000');
  });

  it('audio alone maps no picture and has no video options', () => {
    const { args } = transcodeCommand(run({ rendition: audio, videoStreamIndex: null }));
    expect(args.filter((_, i) => args[i - 1] === '-map')).toEqual(['0:2']);
    expect(args).not.toContain('-c:v');
    expect(args).not.toContain('-force_key_frames');
  });

  it('caps a run at MAX_RUN_SEGMENTS and stops ffmpeg there', () => {
    const long = run({ plan: segmentPlan((MAX_RUN_SEGMENTS + 10) * 4000), startSegment: 5 });
    const { args, lastSegment, seconds } = transcodeCommand(long);
    expect(lastSegment).toBe(5 + MAX_RUN_SEGMENTS - 1);
    expect(seconds).toBe(MAX_RUN_SEGMENTS * 4);
    expect(option(args, '-t')).toBe(`${MAX_RUN_SEGMENTS * 4}.000`);
    expect(option(args, '-segment_times')!.split(',')).toHaveLength(MAX_RUN_SEGMENTS - 1);
    expect(transcodeCommand({ ...long, lastSegment: 7 }).lastSegment).toBe(7);
  });

  it('refuses segments outside the plan, bad stream indexes and relative paths', () => {
    expect(() => transcodeCommand(run({ startSegment: 4 }))).toThrow(/outside the plan/);
    expect(() => transcodeCommand(run({ startSegment: -1 }))).toThrow(/outside the plan/);
    expect(() => transcodeCommand(run({ startSegment: 1.5 }))).toThrow(/outside the plan/);
    expect(() => transcodeCommand(run({ audioStreamIndex: -1 }))).toThrow(/stream index/);
    expect(() => transcodeCommand(run({ videoStreamIndex: null }))).toThrow(/needs a video stream/);
    expect(() => transcodeCommand(run({ sources: [{ path: 'relative.mkv', durationMs: 14_000 }] }))).toThrow(/absolute/);
    expect(() => transcodeCommand(run({ sources: [] }))).toThrow(/needs a source/);
    expect(() => transcodeCommand(run({ sources: [{ path: '/media/a\nb.mkv', durationMs: 14_000 }] }))).toThrow(/line break/);
    expect(() => transcodeCommand(run({ sources: [{ path: '/media/a.mkv', durationMs: 0 }] }))).toThrow(/duration/);
  });

  it('reads a film in parts through the concat demuxer, from a list of its parts with their durations', () => {
    const parts = [
      { path: '/media/films/Kill Bill (2003)/Kill Bill (2003) - cd1.mkv', durationMs: 8_000 },
      { path: "/media/films/Kill Bill (2003)/It's cd2.mkv", durationMs: 6_000 },
    ];
    const { args, partsList } = transcodeCommand(run({ sources: parts, startSegment: 2 }));
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-i') + 2)).toEqual([
      '-ss',
      '8.000',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      'file:/data/transcodes/sessions/0b3c5a8e-6a61-4d1c-9d2b-0f7a3c2e1b9d/parts.ffconcat',
    ]);
    expect(partsList).toBe(
      [
        'ffconcat version 1.0',
        "file 'file:/media/films/Kill Bill (2003)/Kill Bill (2003) - cd1.mkv'",
        'duration 8.000',
        "file 'file:/media/films/Kill Bill (2003)/It'\\''s cd2.mkv'",
        'duration 6.000',
        '',
      ].join('\n'),
    );
    expect(transcodeCommand(run()).partsList).toBeUndefined();
  });

  it("escapes a '%' of the work folder in the segment pattern", () => {
    const { args } = transcodeCommand(run({ workDir: '/data/100%/sessions/x' }));
    expect(args[args.length - 1]).toBe('/data/100%%/sessions/x/%d.ts');
  });
});

describe('finishedSegments', () => {
  it('reads the segment list, ignoring a line still being written', () => {
    expect(finishedSegments('3.ts,0.000000,14.000000\n4.ts,14.000000,18.000000\n5.ts,18.00')).toEqual([3, 4]);
    expect(finishedSegments('')).toEqual([]);
    expect(finishedSegments('../x.ts,1,2\n7.ts,1,2\n')).toEqual([7]);
  });
});

describe('videoFilters', () => {
  const top = (source: Parameters<typeof renditionLadder>[0]) => renditionLadder(source, false)[0] as VideoRendition;

  it('an interlaced source is deinterlaced frame for frame before it is scaled', () => {
    expect(videoFilters(top({ width: 720, height: 576, frameRate: 25, interlaced: true, sampleAspectRatio: 64 / 45 }))).toBe(
      'bwdif=mode=send_frame:parity=auto:deint=interlaced,scale=1024:576,setsar=1,format=yuv420p',
    );
  });

  it('an HDR10 source is resized in linear light, tone-mapped to BT.709, and tagged as such', () => {
    const rendition = top({ width: 3840, height: 2160, frameRate: 24, hdr: 'hdr10' });
    expect(videoFilters(rendition)).toBe(
      'zscale=w=1920:h=1080:tin=smpte2084:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,' +
        'tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,setsar=1,format=yuv420p',
    );
    const { args } = transcodeCommand(run({ rendition }));
    expect([option(args, '-color_primaries'), option(args, '-color_trc'), option(args, '-colorspace')]).toEqual([
      'bt709',
      'bt709',
      'bt709',
    ]);
  });

  it('HLG and Dolby Vision are tone-mapped from their own transfer', () => {
    expect(videoFilters(top({ width: 1920, height: 1080, frameRate: 50, hdr: 'hlg' }))).toContain('tin=arib-std-b67');
    expect(videoFilters(top({ width: 1920, height: 1080, frameRate: 24, hdr: 'dolby-vision' }))).toContain('tin=smpte2084');
  });
});
