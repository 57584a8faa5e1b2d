import { continuingSidecar } from './part-sidecars.js';

const sidecar = (
  fileName: string,
  language: string | null,
  flags: { forced?: boolean; hearingImpaired?: boolean; title?: string } = {},
) => ({
  fileName,
  language,
  forced: flags.forced ?? false,
  hearingImpaired: flags.hearingImpaired ?? false,
  title: flags.title ?? null,
});

describe('continuingSidecar', () => {
  const first = [
    sidecar('Film cd1.en.srt', 'en'),
    sidecar('Film cd1.en.sdh.srt', 'en', { hearingImpaired: true }),
    sidecar('Film cd1.fr.forced.srt', 'fr', { forced: true }),
    sidecar('Film cd1.srt', null),
  ];
  const second = [
    sidecar('Film cd2.en.sdh.srt', 'en', { hearingImpaired: true }),
    sidecar('Film cd2.en.srt', 'en'),
    sidecar('Film cd2.srt', null),
  ];

  it.each([
    ['Film cd1.en.srt', 'Film cd2.en.srt'],
    ['Film cd1.en.sdh.srt', 'Film cd2.en.sdh.srt'],
    ['Film cd1.srt', 'Film cd2.srt'],
  ])('%s goes on in %s (same language and flags, whatever the order of the files)', (chosen, expected) => {
    expect(
      continuingSidecar(
        first.find((s) => s.fileName === chosen)!,
        first,
        second,
      )?.fileName,
    ).toBe(expected);
  });

  it('a kind the later part does not have continues in nothing', () => {
    expect(continuingSidecar(first[2], first, second)).toBeUndefined();
  });

  it('two files of one kind pair by rank; a commentary stays a commentary', () => {
    const a = [
      sidecar('A cd1.en.1.srt', 'en'),
      sidecar('A cd1.en.2.srt', 'en'),
      sidecar('A cd1.en.Commentary.srt', 'en', { title: 'Commentary' }),
    ];
    const b = [
      sidecar('A cd2.en.1.srt', 'en'),
      sidecar('A cd2.en.Commentary.srt', 'en', { title: 'commentary' }),
      sidecar('A cd2.en.2.srt', 'en'),
    ];
    expect(continuingSidecar(a[0], a, b)?.fileName).toBe('A cd2.en.1.srt');
    expect(continuingSidecar(a[1], a, b)?.fileName).toBe('A cd2.en.2.srt');
    expect(continuingSidecar(a[2], a, b)?.fileName).toBe('A cd2.en.Commentary.srt');
  });

  it('a sidecar not among the first part’s continues in nothing', () => {
    expect(continuingSidecar(sidecar('Other.en.srt', 'en'), first, second)).toBeUndefined();
  });
});
