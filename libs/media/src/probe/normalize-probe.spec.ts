import { MediaProbeError } from './media-probe-error.js';
import { normalizeProbe } from './normalize-probe.js';

// Shapes as ffprobe -print_format json -show_format -show_streams prints them (trimmed to the fields that matter).
const disposition = (overrides: Record<string, number> = {}) => ({ default: 0, forced: 0, attached_pic: 0, ...overrides });

const hevcStream = (overrides: Record<string, unknown>) => ({
  index: 0,
  codec_name: 'hevc',
  codec_type: 'video',
  profile: 'Main 10',
  width: 3840,
  height: 2160,
  pix_fmt: 'yuv420p10le',
  color_primaries: 'bt2020',
  avg_frame_rate: '24000/1001',
  r_frame_rate: '24000/1001',
  disposition: disposition({ default: 1 }),
  ...overrides,
});

const probe = (streams: unknown[], format: Record<string, unknown> = {}) => ({
  streams,
  format: { format_name: 'matroska,webm', duration: '5400.123000', size: '1234567890', bit_rate: '1829000', ...format },
});

describe('normalizeProbe', () => {
  it('reads HDR10 from the PQ transfer and the bit depth from the pixel format', () => {
    const result = normalizeProbe(probe([hevcStream({ color_transfer: 'smpte2084' })]), 'movie.mkv');

    expect(result).toEqual({
      container: 'mkv',
      durationMs: 5400123,
      bitrate: 1829000,
      size: 1234567890,
      tags: {},
      streams: [
        {
          index: 0,
          type: 'video',
          codec: 'hevc',
          profile: 'Main 10',
          language: null,
          title: null,
          width: 3840,
          height: 2160,
          frameRate: 23.976,
          bitrate: null,
          bitDepth: 10,
          sampleRate: null,
          channels: null,
          channelLayout: null,
          hdr: 'hdr10',
          rotation: 0,
          sampleAspectRatio: null,
          interlaced: false,
          isDefault: true,
          isForced: false,
        },
      ],
    });
  });

  it('tells HDR10+ from HDR10 by its SMPTE 2094-40 side data', () => {
    const stream = hevcStream({
      color_transfer: 'smpte2084',
      side_data_list: [{ side_data_type: 'Mastering display metadata' }, { side_data_type: 'HDR Dynamic Metadata SMPTE2094-40 (HDR10+)' }],
    });
    expect(normalizeProbe(probe([stream]), 'movie.mkv').streams[0].hdr).toBe('hdr10+');
  });

  it('reads HLG from the ARIB STD-B67 transfer', () => {
    expect(normalizeProbe(probe([hevcStream({ color_transfer: 'arib-std-b67' })]), 'x.mkv').streams[0].hdr).toBe('hlg');
  });

  it('reads Dolby Vision from its configuration record, ahead of the HDR10 base layer', () => {
    const stream = hevcStream({
      color_transfer: 'smpte2084',
      side_data_list: [{ side_data_type: 'DOVI configuration record', dv_profile: 8, dv_level: 6, rpu_present_flag: 1 }],
    });
    expect(normalizeProbe(probe([stream]), 'x.mkv').streams[0].hdr).toBe('dolby-vision');
    expect(normalizeProbe(probe([hevcStream({ codec_tag_string: 'dvh1' })]), 'x.mp4').streams[0].hdr).toBe('dolby-vision');
  });

  it('reports SDR as no HDR and prefers bits_per_raw_sample to the pixel format', () => {
    const stream = hevcStream({ color_transfer: 'bt709', pix_fmt: 'yuv420p', bits_per_raw_sample: '8' });
    expect(normalizeProbe(probe([stream]), 'x.mkv').streams[0]).toMatchObject({ hdr: null, bitDepth: 8 });
    const twelve = hevcStream({ pix_fmt: 'yuv420p12le' });
    expect(normalizeProbe(probe([twelve]), 'x.mkv').streams[0].bitDepth).toBe(12);
    const p010 = hevcStream({ pix_fmt: 'p010le' });
    expect(normalizeProbe(probe([p010]), 'x.mkv').streams[0].bitDepth).toBe(10);
  });

  it('reads the clockwise rotation from the display matrix (ffprobe reports it counter-clockwise) or the rotate tag', () => {
    const matrix = (rotation: number) => hevcStream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation }] });
    const rotationOf = (stream: unknown) => normalizeProbe(probe([stream]), 'x.mp4').streams[0].rotation;
    expect(rotationOf(matrix(-90))).toBe(90);
    expect(rotationOf(matrix(90))).toBe(270);
    expect(rotationOf(matrix(180))).toBe(180);
    expect(rotationOf(matrix(-180))).toBe(180);
    expect(rotationOf(matrix(-89.99))).toBe(90);
    expect(rotationOf(hevcStream({ tags: { rotate: '270' } }))).toBe(270);
    expect(rotationOf(hevcStream({ tags: { rotate: 'sideways' } }))).toBe(0);
    expect(rotationOf(hevcStream({}))).toBe(0);
    const audio = { index: 1, codec_name: 'aac', codec_type: 'audio', tags: { rotate: '90' } };
    expect(normalizeProbe(probe([audio]), 'x.mp4').streams[0].rotation).toBeNull();
  });

  it('keeps a pixel aspect ratio only when pixels are not square', () => {
    const sarOf = (sample_aspect_ratio: string) => normalizeProbe(probe([hevcStream({ sample_aspect_ratio })]), 'x.mkv').streams[0];
    expect(sarOf('64:45').sampleAspectRatio).toBe(1.4222);
    expect(sarOf('16:15').sampleAspectRatio).toBe(1.0667);
    expect(sarOf('1:1').sampleAspectRatio).toBeNull();
    expect(sarOf('0:1').sampleAspectRatio).toBeNull();
    expect(sarOf('1000:1').sampleAspectRatio).toBeNull();
  });

  it('calls a picture interlaced by its field order', () => {
    const interlaced = (field_order?: string) => normalizeProbe(probe([hevcStream({ field_order })]), 'x.mkv').streams[0].interlaced;
    expect(['tt', 'bb', 'tb', 'bt'].map(interlaced)).toEqual([true, true, true, true]);
    expect(['progressive', 'unknown', undefined].map(interlaced)).toEqual([false, false, false]);
  });

  it('falls back to r_frame_rate when avg_frame_rate is 0/0', () => {
    const stream = hevcStream({ avg_frame_rate: '0/0', r_frame_rate: '30/1' });
    expect(normalizeProbe(probe([stream]), 'x.mkv').streams[0].frameRate).toBe(30);
  });

  it("maps language 'und' to null, keeps titles, and reads default/forced dispositions", () => {
    const subtitles = [
      { index: 2, codec_type: 'subtitle', codec_name: 'subrip', tags: { language: 'und' }, disposition: disposition() },
      {
        index: 3,
        codec_type: 'subtitle',
        codec_name: 'ass',
        tags: { language: 'jpn', title: 'Signs' },
        disposition: disposition({ forced: 1 }),
      },
    ];
    const [unknown, forced] = normalizeProbe(probe(subtitles), 'x.mkv').streams;
    expect(unknown).toMatchObject({ type: 'subtitle', language: null, title: null, isDefault: false, isForced: false });
    expect(forced).toMatchObject({ type: 'subtitle', codec: 'ass', language: 'jpn', title: 'Signs', isForced: true });
  });

  it('types an attached picture as an attachment, and font attachments too', () => {
    const streams = [
      {
        index: 0,
        codec_type: 'audio',
        codec_name: 'flac',
        sample_rate: '44100',
        channels: 2,
        bits_per_raw_sample: '16',
        disposition: disposition(),
      },
      {
        index: 1,
        codec_type: 'video',
        codec_name: 'mjpeg',
        width: 500,
        height: 500,
        pix_fmt: 'yuvj420p',
        disposition: disposition({ attached_pic: 1 }),
      },
      { index: 2, codec_type: 'attachment', codec_name: 'ttf', tags: { filename: 'font.ttf' } },
      { index: 3, codec_type: 'data', codec_name: 'bin_data' },
    ];
    const result = normalizeProbe(probe(streams, { format_name: 'flac' }), 'song.flac');
    expect(result.container).toBe('flac');
    expect(result.streams.map((s) => [s.index, s.type, s.frameRate])).toEqual([
      [0, 'audio', null],
      [1, 'attachment', null],
      [2, 'attachment', null],
      [3, 'data', null],
    ]);
    expect(result.streams[0]).toMatchObject({ bitDepth: 16, sampleRate: 44100, channels: 2 });
  });

  it('reads audio bit depth from bits_per_sample (PCM) and none for lossy codecs', () => {
    const streams = [
      { index: 0, codec_type: 'audio', codec_name: 'pcm_s16le', sample_rate: '48000', channels: 2, bits_per_sample: 16 },
      { index: 1, codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 6, channel_layout: '5.1', bits_per_sample: 0 },
    ];
    const result = normalizeProbe(probe(streams, { format_name: 'wav' }), 'a.wav');
    expect(result.container).toBe('wav');
    expect(result.streams.map((s) => [s.codec, s.bitDepth, s.channels, s.channelLayout])).toEqual([
      ['pcm_s16le', 16, 2, null],
      ['aac', null, 6, '5.1'],
    ]);
  });

  it('names containers from format_name, the extension and the MP4 brand', () => {
    const container = (formatName: string, fileName: string, tags: Record<string, string> = {}) =>
      normalizeProbe(probe([], { format_name: formatName, tags }), fileName).container;
    const mov = 'mov,mp4,m4a,3gp,3g2,mj2';
    expect(container('matroska,webm', 'a.mkv')).toBe('mkv');
    expect(container('matroska,webm', 'a.webm')).toBe('webm');
    expect(container(mov, 'a.mp4')).toBe('mp4');
    expect(container(mov, 'a.m4a')).toBe('m4a');
    expect(container(mov, 'a.m4b')).toBe('m4a');
    expect(container(mov, 'a.MOV')).toBe('mov');
    expect(container(mov, 'a.bin', { major_brand: 'qt  ' })).toBe('mov');
    expect(container(mov, 'a.bin', { major_brand: 'isom' })).toBe('mp4');
    expect(container('mpegts', 'a.m2ts')).toBe('ts');
    expect(container('ogg', 'a.ogg')).toBe('ogg');
    expect(container('ogg', 'a.opus')).toBe('opus');
    expect(container('avi', 'a.avi')).toBe('avi');
    expect(container('mp3', 'a.mp3')).toBe('mp3');
  });

  it("takes the duration from Matroska's per-stream DURATION tag when the format has none", () => {
    const streams = [
      { index: 0, codec_type: 'video', codec_name: 'h264', tags: { DURATION: '00:01:02.500000000', BPS: '4000000' } },
      {
        index: 1,
        codec_type: 'audio',
        codec_name: 'opus',
        tags: { 'DURATION-eng': 'x', DURATION: '00:01:02.480000000', 'BPS-eng': '128000' },
      },
    ];
    const result = normalizeProbe({ streams, format: { format_name: 'matroska,webm' } }, 'a.mkv');
    expect(result.durationMs).toBe(62500);
    expect(result.streams.map((s) => s.bitrate)).toEqual([4000000, 128000]);
    expect(result.bitrate).toBeNull();
    expect(result.size).toBeNull();
  });

  it('lower-cases container tag keys', () => {
    const result = normalizeProbe(probe([], { tags: { TITLE: 'Upper', ARTIST: 'Someone', encoder: 'x' } }), 'a.flac');
    expect(result.tags).toEqual({ title: 'Upper', artist: 'Someone', encoder: 'x' });
  });

  it('rejects output that is not an object', () => {
    expect(() => normalizeProbe('nope', 'a.mkv')).toThrow(new MediaProbeError('ffprobe output for a.mkv is not a JSON object'));
    expect(() => normalizeProbe(null, 'a.mkv')).toThrow(MediaProbeError);
  });
});
