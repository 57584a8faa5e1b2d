import { parseNfo } from './parse-nfo.js';

const movieNfo = `\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<!-- created by a media manager -->
<movie>
  <title>Alien &amp; Co</title>
  <originaltitle>Alien</originaltitle>
  <sorttitle>Alien 1</sorttitle>
  <ratings>
    <rating name="imdb" max="10"><value>8.5</value><votes>900000</votes></rating>
    <rating name="themoviedb" max="100" default="true"><value>81</value><votes>14000</votes></rating>
  </ratings>
  <userrating>9</userrating>
  <year>1979</year>
  <plot><![CDATA[In space, no one can hear <you> scream.]]></plot>
  <tagline>  In space no one can hear you scream.  </tagline>
  <mpaa>Rated R</mpaa>
  <uniqueid type="imdb" default="true">tt0078748</uniqueid>
  <uniqueid type="tmdb">348</uniqueid>
  <genre>Horror</genre>
  <genre>Science Fiction / Thriller</genre>
  <tag>space</tag>
  <tag>xenomorph</tag>
  <studio>Brandywine Productions</studio>
  <studio>20th Century Fox</studio>
  <credits>Dan O'Bannon</credits>
  <director tmdbid="578">Ridley Scott</director>
  <premiered>1979-05-25</premiered>
  <actor>
    <name>Sigourney Weaver</name>
    <role>Ellen Ripley</role>
    <order>0</order>
    <thumb>https://image.example/ripley.jpg</thumb>
  </actor>
  <actor>
    <name>Tom Skerritt</name>
    <role>Dallas</role>
    <order>1</order>
  </actor>
  <actor><name>Uncredited Extra</name></actor>
  <lockdata>true</lockdata>
</movie>
`;

describe('parseNfo', () => {
  it('reads a Kodi movie NFO', () => {
    expect(parseNfo(movieNfo)).toEqual([
      {
        kind: 'movie',
        title: 'Alien & Co',
        originalTitle: 'Alien',
        sortTitle: 'Alien 1',
        year: 1979,
        plot: 'In space, no one can hear <you> scream.',
        tagline: 'In space no one can hear you scream.',
        genres: ['Horror', 'Science Fiction', 'Thriller'],
        tags: ['space', 'xenomorph'],
        studios: ['Brandywine Productions', '20th Century Fox'],
        people: [
          { name: 'Sigourney Weaver', role: 'actor', character: 'Ellen Ripley', order: 0 },
          { name: 'Tom Skerritt', role: 'actor', character: 'Dallas', order: 1 },
          { name: 'Uncredited Extra', role: 'actor' },
          { name: 'Ridley Scott', role: 'director' },
          { name: "Dan O'Bannon", role: 'writer' },
        ],
        providerIds: { imdb: 'tt0078748', tmdb: '348' },
        premiered: '1979-05-25',
        rating: 8.1,
        mpaa: 'Rated R',
        locked: true,
      },
    ]);
  });

  it('reads the older id tags, a plain rating and a year from <premiered>', () => {
    const [movie] = parseNfo(`<movie>
      <title>Heat</title><id>tt0113277</id><tmdbid>949</tmdbid><rating>8.3</rating>
      <premiered>1995-12-15</premiered><lockdata>false</lockdata></movie>`);
    expect(movie).toEqual({
      kind: 'movie',
      title: 'Heat',
      year: 1995,
      premiered: '1995-12-15',
      rating: 8.3,
      genres: [],
      tags: [],
      studios: [],
      people: [],
      providerIds: { imdb: 'tt0113277', tmdb: '949' },
      locked: false,
    });
  });

  it('decodes character references', () => {
    expect(parseNfo('<movie><title>Am&#233;lie &#x26; &quot;Nino&quot;</title></movie>')[0].title).toBe('Amélie & "Nino"');
  });

  it('reads a tvshow NFO', () => {
    const [show] = parseNfo(`<?xml version="1.0" encoding="UTF-8"?>
<tvshow>
  <title>The Office</title>
  <showtitle>The Office</showtitle>
  <year>2005</year>
  <season>9</season>
  <plot>A mockumentary.</plot>
  <uniqueid type="tvdb" default="true">73244</uniqueid>
  <uniqueid type="imdb">tt0386676</uniqueid>
  <uniqueid type="tmdb">2316</uniqueid>
  <genre>Comedy</genre>
  <studio>NBC</studio>
  <actor><name>Steve Carell</name><role>Michael Scott</role><order>0</order></actor>
</tvshow>`);
    expect(show).toEqual({
      kind: 'tvshow',
      title: 'The Office',
      year: 2005,
      plot: 'A mockumentary.',
      genres: ['Comedy'],
      tags: [],
      studios: ['NBC'],
      people: [{ name: 'Steve Carell', role: 'actor', character: 'Michael Scott', order: 0 }],
      providerIds: { tvdb: '73244', imdb: 'tt0386676', tmdb: '2316' },
      locked: false,
    });
  });

  it('returns one entry per <episodedetails> of a multi-episode file, in order', () => {
    const entries = parseNfo(`<?xml version="1.0" encoding="UTF-8"?>
<episodedetails>
  <title>Part One</title><season>1</season><episode>2</episode><aired>2005-03-29</aired>
  <uniqueid type="tvdb" default="true">1001</uniqueid><director>Ken Kwapis</director>
</episodedetails>
<episodedetails>
  <title>Part Two</title><season>1</season><episode>3</episode><aired>2005-04-05</aired>
  <uniqueid type="tvdb" default="true">1002</uniqueid>
</episodedetails>`);
    expect(entries.map((e) => [e.kind, e.title, e.season, e.episode, e.premiered, e.year, e.providerIds])).toEqual([
      ['episode', 'Part One', 1, 2, '2005-03-29', 2005, { tvdb: '1001' }],
      ['episode', 'Part Two', 1, 3, '2005-04-05', 2005, { tvdb: '1002' }],
    ]);
    expect(entries[0].people).toEqual([{ name: 'Ken Kwapis', role: 'director' }]);
    expect(entries[1].people).toEqual([]);
  });

  test.each([
    ['https://www.imdb.com/title/tt0078748/', 'movie', { imdb: 'tt0078748' }],
    ['  http://imdb.com/title/tt0078748  \n', 'movie', { imdb: 'tt0078748' }],
    ['https://www.themoviedb.org/movie/348-alien', 'movie', { tmdb: '348' }],
    ['https://www.themoviedb.org/tv/1399-game-of-thrones', 'tvshow', { tmdb: '1399' }],
    ['https://thetvdb.com/?tab=series&id=73244', 'tvshow', { tvdb: '73244' }],
  ])('reads a URL-only NFO: %s', (text, kind, providerIds) => {
    expect(parseNfo(text)).toEqual([{ kind, genres: [], tags: [], studios: [], people: [], providerIds, locked: false }]);
  });

  it('reads scene-release text NFOs for their IMDb link', () => {
    const text = '  ____  _  _\n |  _ \\| \\| | GROUP presents\n\n IMDb ..: https://www.imdb.com/title/tt0113277/\n Size ..: 8.7 GB\n';
    expect(parseNfo(text)).toEqual([
      { kind: 'movie', genres: [], tags: [], studios: [], people: [], providerIds: { imdb: 'tt0113277' }, locked: false },
    ]);
  });

  it('adds the ids of a URL line after the XML without overriding the XML', () => {
    const [movie] = parseNfo(
      '<movie><title>Alien</title><uniqueid type="imdb">tt0078748</uniqueid></movie>\nhttps://www.themoviedb.org/movie/348\nhttps://www.imdb.com/title/tt9999999/\n',
    );
    expect(movie.title).toBe('Alien');
    expect(movie.providerIds).toEqual({ imdb: 'tt0078748', tmdb: '348' });
  });

  it('reads music NFOs', () => {
    const [album] = parseNfo(
      '<album><title>Kind of Blue</title><year>1959</year><genre>Jazz</genre><musicbrainzalbumid>8e8a594e-2e9c-4d9a-9b4b-5e5a2e6c9b1a</musicbrainzalbumid></album>',
    );
    expect(album).toEqual({
      kind: 'album',
      title: 'Kind of Blue',
      year: 1959,
      genres: ['Jazz'],
      tags: [],
      studios: [],
      people: [],
      providerIds: { musicbrainzalbum: '8e8a594e-2e9c-4d9a-9b4b-5e5a2e6c9b1a' },
      locked: false,
    });
    const [artist] = parseNfo('<artist><name>Miles Davis</name><genre>Jazz</genre></artist>');
    expect([artist.kind, artist.title, artist.genres]).toEqual(['artist', 'Miles Davis', ['Jazz']]);
  });

  test.each([
    ['an unclosed tag', '<movie><title>Alien</movie>', /^Invalid NFO: .*title/],
    ['a truncated file', '<movie><title>Alien</title>', /^Invalid NFO: /],
    ['an empty file', '   \n', /^Invalid NFO: the file is empty$/],
    ['text without a link', 'just some notes', /^Invalid NFO: neither XML nor/],
    ['an unknown root without a link', '<foo><title>x</title></foo>', /^Invalid NFO: no <movie>/],
  ])('throws a clear error for %s', (_what, text, message) => {
    expect(() => parseNfo(text)).toThrow(message);
  });

  it('never resolves external entities (XXE)', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE movie [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<movie><title>&xxe;</title></movie>`;
    let result: unknown;
    let error: unknown;
    try {
      result = parseNfo(xxe);
    } catch (caught) {
      error = caught;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Invalid NFO: DOCTYPE and ENTITY declarations are not allowed');
    expect((error as Error).message).not.toMatch(/root:/);
  });
});
