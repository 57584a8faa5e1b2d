import { sidecarToVtt } from './sidecar-to-vtt.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('sidecarToVtt', () => {
  it('keeps a WebVTT file as written, minus BOM and CRs', () => {
    const vtt = '\uFEFFWEBVTT - a title\r\n\r\nNOTE kept\r\n\r\n00:01.000 --> 00:02.000 line:0\r\n<v Bob>Hi</v>';
    expect(sidecarToVtt('vtt', bytes(vtt))).toBe('WEBVTT - a title\n\nNOTE kept\n\n00:01.000 --> 00:02.000 line:0\n<v Bob>Hi</v>\n');
  });

  it('reads a .vtt without the signature as SRT', () => {
    expect(sidecarToVtt('vtt', bytes('1\n00:00:01,000 --> 00:00:02,000\nrenamed srt\n'))).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nrenamed srt\n\n',
    );
  });

  it('converts SRT and ASS/SSA', () => {
    expect(sidecarToVtt('srt', bytes('1\r\n00:00:01,000 --> 00:00:02,000\r\nsrt\r\n'))).toContain('00:00:01.000 --> 00:00:02.000\nsrt');
    const ass =
      '[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,ass\n';
    expect(sidecarToVtt('ass', bytes(ass))).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nass\n\n');
    expect(sidecarToVtt('ssa', bytes(ass))).toBe(sidecarToVtt('ass', bytes(ass)));
  });

  it('decodes Windows-1252 sidecars', () => {
    const latin = Buffer.concat([bytes('1\n00:00:01,000 --> 00:00:02,000\ncaf'), Buffer.from([0xe9]), bytes('\n')]);
    expect(sidecarToVtt('srt', latin)).toContain('café');
  });
});
