import { decodeSubtitleText, formatVttTimestamp, sanitizeCueText, serializeVtt } from './webvtt.js';

describe('formatVttTimestamp', () => {
  it.each([
    [0, '00:00:00.000'],
    [1, '00:00:00.001'],
    [59_999, '00:00:59.999'],
    [3_723_004, '01:02:03.004'],
    [100 * 3_600_000, '100:00:00.000'],
    [-5, '00:00:00.000'],
    [1234.6, '00:00:01.235'],
  ])('%p ms → %s', (ms, text) => expect(formatVttTimestamp(ms)).toBe(text));
});

describe('serializeVtt', () => {
  it('writes the signature, then cues ordered by start, each followed by a blank line', () => {
    const vtt = serializeVtt([
      { startMs: 2000, endMs: 3000, text: 'second' },
      { startMs: 0, endMs: 1500, text: 'first\nline two' },
    ]);
    expect(vtt).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nfirst\nline two\n\n00:00:02.000 --> 00:00:03.000\nsecond\n\n');
  });

  it('drops empty and reversed cues and blank lines inside a cue (a blank line would end it)', () => {
    const vtt = serializeVtt([
      { startMs: 0, endMs: 1000, text: '  \n' },
      { startMs: 2000, endMs: 1000, text: 'reversed' },
      { startMs: 1000, endMs: 1000, text: 'zero length' },
      { startMs: 3000, endMs: 4000, text: 'a\n\n\nb' },
    ]);
    expect(vtt).toBe('WEBVTT\n\n00:00:03.000 --> 00:00:04.000\na\nb\n\n');
  });

  it('an empty track is just the signature', () => expect(serializeVtt([])).toBe('WEBVTT\n\n'));
});

describe('sanitizeCueText', () => {
  it('keeps <i>, <b>, <u> without attributes and drops other tags', () => {
    expect(sanitizeCueText('<I>Hi</I> <font color="#ff0000">red</font> <b class="x">bold</b> <U>u</U>')).toBe(
      '<i>Hi</i> red <b>bold</b> <u>u</u>',
    );
  });

  it('removes ASS-style override blocks found in SRT files', () => expect(sanitizeCueText('{\\an8}Top line')).toBe('Top line'));

  it('escapes stray markup characters and "-->" but keeps entities', () => {
    expect(sanitizeCueText('a < b && c > d --> e &amp; &#233; &nbsp;')).toBe('a &lt; b &amp;&amp; c &gt; d --&gt; e &amp; &#233; &nbsp;');
  });

  it('cannot smuggle a tag through a broken one', () => {
    expect(sanitizeCueText('<<script>>alert(1)<</script>>')).toBe('&lt;&gt;alert(1)&lt;&gt;');
  });
});

describe('decodeSubtitleText', () => {
  it('reads UTF-8 with and without a BOM, and turns CRLF and CR into LF', () => {
    expect(decodeSubtitleText(Buffer.from('\uFEFFcafé\r\nnext\rlast', 'utf8'))).toBe('café\nnext\nlast');
    expect(decodeSubtitleText(Buffer.from('日本語\r\n', 'utf8'))).toBe('日本語\n');
  });

  it('reads UTF-16 with a BOM, little- and big-endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\r\n', 'utf16le')]);
    expect(decodeSubtitleText(le)).toBe('héllo\n');
    const be = Buffer.from(Buffer.from('héllo', 'utf16le').swap16());
    expect(decodeSubtitleText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('héllo');
  });

  it('falls back to Windows-1252 for bytes that are not UTF-8', () => {
    expect(decodeSubtitleText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94]))).toBe('café “q”');
  });
});
