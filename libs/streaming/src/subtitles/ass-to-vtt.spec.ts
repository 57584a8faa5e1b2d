import { assTextToPlain, assToVtt, parseAss } from './ass-to-vtt.js';

const script = (events: string, format = 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text') =>
  `[Script Info]\nTitle: test\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname\nStyle: Default,Arial\n\n[Events]\n${format}\n${events}\n`;

describe('ASS/SSA → WebVTT', () => {
  it('reads Dialogue lines with centisecond times and keeps commas in the text', () => {
    const ass = script(
      'Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,Hello, world\nDialogue: 0,1:02:03.04,1:02:04.00,Default,,0,0,0,,Second',
    );
    expect(assToVtt(ass)).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello, world\n\n01:02:03.040 --> 01:02:04.000\nSecond\n\n');
  });

  it('strips override tags and turns \\N, \\n and \\h into breaks and spaces', () => {
    const ass = script('Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\an8\\b1}Bold{\\b0} top\\Nsecond\\nthird\\hword');
    expect(parseAss(ass)).toEqual([{ startMs: 1000, endMs: 2000, text: 'Bold top\nsecond\nthird\u00a0word' }]);
  });

  it('drops vector drawings and lines with no visible text', () => {
    expect(assTextToPlain('{\\p1}m 0 0 l 100 0 100 100{\\p0}after')).toBe('after');
    const ass = script('Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\p1}m 0 0 l 10 10{\\p0}');
    expect(parseAss(ass)).toEqual([]);
  });

  it('follows the Format line order (SSA v4 with Marked) and a BOM and CRLF', () => {
    const ssa =
      '\uFEFF[Events]\r\nFormat: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\nDialogue: Marked=0,0:00:03.00,0:00:04.00,*Default,NTP,0000,0000,0000,,SSA line\r\n';
    expect(parseAss(ssa)).toEqual([{ startMs: 3000, endMs: 4000, text: 'SSA line' }]);
    const reordered = '[Events]\nFormat: Start, End, Text\nDialogue: 0:00:05.00,0:00:06.00,Short, format';
    expect(parseAss(reordered)).toEqual([{ startMs: 5000, endMs: 6000, text: 'Short, format' }]);
  });

  it('skips comments, other sections, malformed times, reversed cues and short lines', () => {
    const ass = script(
      [
        'Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,a comment',
        'Dialogue: 0,0:00:xx.00,0:00:02.00,Default,,0,0,0,,bad time',
        'Dialogue: 0,0:00:05.00,0:00:04.00,Default,,0,0,0,,reversed',
        'Dialogue: 0,0:00:05.00',
        'Dialogue: 0,0:00:07.00,0:00:08.00,Default,,0,0,0,,kept',
      ].join('\n'),
    );
    expect(parseAss(`Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,before events\n${ass}`)).toEqual([
      { startMs: 7000, endMs: 8000, text: 'kept' },
    ]);
  });

  it('keeps simple tags and escapes ampersands', () => {
    const ass = script('Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,<b>not a tag</b> & co');
    expect(parseAss(ass)[0].text).toBe('<b>not a tag</b> &amp; co');
  });
});
