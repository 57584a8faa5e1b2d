import { parseSrt, srtToVtt } from './srt-to-vtt.js';

describe('SRT → WebVTT', () => {
  it('converts timestamps (comma → dot) and keeps cue text and order', () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n01:02:03,004 --> 01:02:04,000\nWorld\nline two\n';
    expect(srtToVtt(srt)).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n\n01:02:03.004 --> 01:02:04.000\nWorld\nline two\n\n');
  });

  it('handles a BOM, CRLF line endings and trailing spaces', () => {
    const srt = '\uFEFF1\r\n00:00:00,000 --> 00:00:01,000  \r\nHi   \r\n\r\n';
    expect(parseSrt(srt)).toEqual([{ startMs: 0, endMs: 1000, text: 'Hi' }]);
  });

  it('tolerates missing counters, dots, short fractions, missing hours and position suffixes', () => {
    const srt = [
      '00:00:01.5 --> 00:00:02.25',
      'dots',
      '',
      '00:03,000 --> 00:04,000',
      'no hours',
      '',
      '7',
      '00:00:05,000 --> 00:00:06,000 X1:100 X2:200 Y1:10 Y2:20',
      'position',
    ].join('\n');
    expect(parseSrt(srt)).toEqual([
      { startMs: 1500, endMs: 2250, text: 'dots' },
      { startMs: 3000, endMs: 4000, text: 'no hours' },
      { startMs: 5000, endMs: 6000, text: 'position' },
    ]);
  });

  it('skips malformed cues and keeps the rest', () => {
    const srt = [
      '1',
      '00:00:01,000 -> 00:00:02,000',
      'bad arrow',
      '',
      '2',
      '00:00:05,000 --> 00:00:04,000',
      'reversed',
      '',
      '3',
      '00:00:06,000 --> 00:00:07,000',
      '',
      '4',
      '00:61:00,000 --> 00:62:00,000',
      'minutes out of range',
      '',
      '5',
      '00:00:08,000 --> 00:00:09,000',
      'good',
      '',
      'garbage line',
    ].join('\n');
    expect(parseSrt(srt)).toEqual([{ startMs: 8000, endMs: 9000, text: 'good' }]);
  });

  it('does not take the next counter for text when a blank line is missing', () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:03,000 --> 00:00:04,000\nsecond\n';
    expect(parseSrt(srt).map((cue) => cue.text)).toEqual(['first', 'second']);
  });

  it('keeps italics and bold, drops font tags and escapes markup', () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\n<i>Hi</i> <font color="red">there</font> & <3\n';
    expect(parseSrt(srt)[0].text).toBe('<i>Hi</i> there &amp; &lt;3');
  });

  it('sorts cues by start time', () => {
    const srt = '1\n00:00:05,000 --> 00:00:06,000\nlater\n\n2\n00:00:01,000 --> 00:00:02,000\nearlier\n';
    expect(srtToVtt(srt).indexOf('earlier')).toBeLessThan(srtToVtt(srt).indexOf('later'));
  });

  it('an empty or non-SRT file gives an empty track', () => {
    expect(srtToVtt('')).toBe('WEBVTT\n\n');
    expect(srtToVtt('just some text\nwithout timings')).toBe('WEBVTT\n\n');
  });
});
