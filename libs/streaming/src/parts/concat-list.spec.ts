import { concatList, partsInput } from './concat-list.js';

describe('concatList', () => {
  it('lists every part with its probed duration, names quoted and read as files', () => {
    expect(
      concatList([
        { path: "/media/Bob's Film (1999) cd1.mkv", durationMs: 3_600_123 },
        { path: '/media/Bob’s Film (1999) cd2.mkv', durationMs: 1500 },
      ]),
    ).toBe(
      [
        'ffconcat version 1.0',
        "file 'file:/media/Bob'\\''s Film (1999) cd1.mkv'",
        'duration 3600.123',
        "file 'file:/media/Bob’s Film (1999) cd2.mkv'",
        'duration 1.500',
        '',
      ].join('\n'),
    );
  });

  it.each(['\n', '\r', '\0'])('refuses a name with %j, which would start a directive of its own', (character) => {
    expect(() => concatList([{ path: `/media/a${character}file '/etc/passwd'.mkv`, durationMs: 1000 }])).toThrow(/line break/);
  });
});

describe('partsInput', () => {
  it('one file is read as itself; several through the concat list', () => {
    expect(partsInput([{ path: '/media/film.mkv', durationMs: 1 }], '/work/parts.ffconcat')).toEqual(['-i', 'file:/media/film.mkv']);
    expect(
      partsInput(
        [
          { path: '/media/a.mkv', durationMs: 1 },
          { path: '/media/b.mkv', durationMs: 1 },
        ],
        '/work/parts.ffconcat',
      ),
    ).toEqual(['-f', 'concat', '-safe', '0', '-i', 'file:/work/parts.ffconcat']);
    expect(() => partsInput([], '/work/parts.ffconcat')).toThrow(/no file/);
  });
});
