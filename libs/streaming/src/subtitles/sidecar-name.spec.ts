import { parseSidecarName } from './sidecar-name.js';

const media = 'Alien (1979).mkv';

describe('parseSidecarName', () => {
  it.each([
    ['Alien (1979).srt', { format: 'srt', language: null, forced: false, default: false, hearingImpaired: false, title: null }],
    ['Alien (1979).en.srt', { format: 'srt', language: 'en', forced: false, default: false }],
    ['Alien (1979).eng.srt', { language: 'en' }],
    ['Alien (1979).fre.forced.ass', { format: 'ass', language: 'fr', forced: true }],
    ['Alien (1979).eng.forced.ass', { format: 'ass', language: 'en', forced: true }],
    ['Alien (1979).default.vtt', { format: 'vtt', language: null, default: true }],
    ['Alien (1979).de.default.forced.ssa', { format: 'ssa', language: 'de', default: true, forced: true }],
    ['Alien (1979).pt-br.sdh.srt', { language: 'pt-BR', hearingImpaired: true }],
    ['Alien (1979).en.hi.srt', { language: 'en', hearingImpaired: true }],
    ['Alien (1979).cc.srt', { language: null, hearingImpaired: true }],
    ['Alien (1979).foreign.srt', { forced: true }],
    ['ALIEN (1979).EN.SRT', { format: 'srt', language: 'en' }],
    ['Alien (1979).en.Commentary.srt', { language: 'en', title: 'Commentary' }],
    ['Alien (1979).Director Commentary.srt', { language: null, title: 'Director Commentary' }],
  ])('%s', (name, expected) => expect(parseSidecarName(media, name)).toMatchObject(expected));

  it.each([
    'Alien (1979).mkv',
    'Alien (1979).nfo',
    'Alien (1979).sub',
    'Alien (1979).idx',
    'Alien (1979).sup',
    'Alien (1979)extra.srt',
    'Alien.srt',
    'Other film.en.srt',
    '.srt',
    'Alien (1979)',
  ])('%s is not a subtitle sidecar of it', (name) => expect(parseSidecarName(media, name)).toBeUndefined());

  it('works for media names without an extension and names with dots', () => {
    expect(parseSidecarName('The.Matrix.1999.mp4', 'The.Matrix.1999.en.srt')).toMatchObject({ language: 'en' });
    expect(parseSidecarName('The.Matrix.1999.mp4', 'The.Matrix.srt')).toBeUndefined();
  });
});
