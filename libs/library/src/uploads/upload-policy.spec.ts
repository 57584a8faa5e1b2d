import {
  checkUploadContent,
  DEFAULT_UPLOAD_MAX_BYTES,
  MAX_FILE_NAME_BYTES,
  parseFolderField,
  parseFolderIndex,
  safeFileName,
  uploadIdleTimeoutMs,
  uploadMaxBytes,
  UploadRejection,
  uploadTypeFor,
} from './upload-policy.js';

/** The rejection a call throws, as { status, message }; fails the test when it does not throw one. */
function rejection(call: () => unknown): { status: number; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof UploadRejection) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected an UploadRejection');
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
const padded = (head: Buffer, length = 256) => Buffer.concat([head, Buffer.alloc(Math.max(0, length - head.length), 0x11)]);

describe('uploadIdleTimeoutMs', () => {
  it('defaults to 60 s, and takes MARQUEE_UPLOAD_IDLE_SECONDS from 1 to 3600', () => {
    expect(uploadIdleTimeoutMs({})).toBe(60_000);
    expect(uploadIdleTimeoutMs({ MARQUEE_UPLOAD_IDLE_SECONDS: '' })).toBe(60_000);
    expect(uploadIdleTimeoutMs({ MARQUEE_UPLOAD_IDLE_SECONDS: '1' })).toBe(1000);
    expect(uploadIdleTimeoutMs({ MARQUEE_UPLOAD_IDLE_SECONDS: ' 3600 ' })).toBe(3_600_000);
  });

  it.each(['0', '3601', '-1', '1.5', '2s'])('refuses %p naming the variable', (value) => {
    expect(() => uploadIdleTimeoutMs({ MARQUEE_UPLOAD_IDLE_SECONDS: value })).toThrow(
      `MARQUEE_UPLOAD_IDLE_SECONDS must be a whole number of seconds from 1 to 3600 (got "${value}")`,
    );
  });
});

describe('uploadMaxBytes', () => {
  it('defaults to 20 GiB', () => {
    expect(DEFAULT_UPLOAD_MAX_BYTES).toBe(21_474_836_480);
    expect(uploadMaxBytes({})).toBe(21_474_836_480);
    expect(uploadMaxBytes({ MARQUEE_UPLOAD_MAX_BYTES: '' })).toBe(21_474_836_480);
  });

  it('takes MARQUEE_UPLOAD_MAX_BYTES when it is a positive integer', () => {
    expect(uploadMaxBytes({ MARQUEE_UPLOAD_MAX_BYTES: '1048576' })).toBe(1_048_576);
    expect(uploadMaxBytes({ MARQUEE_UPLOAD_MAX_BYTES: ' 42 ' })).toBe(42);
  });

  it.each(['0', '-5', '1e6', '1.5', 'abc', '99999999999999999999'])('refuses %p naming the variable', (value) => {
    expect(() => uploadMaxBytes({ MARQUEE_UPLOAD_MAX_BYTES: value })).toThrow(
      `MARQUEE_UPLOAD_MAX_BYTES must be a positive integer of bytes (got "${value}")`,
    );
  });
});

describe('safeFileName', () => {
  it.each([
    ['Alien (1979).mkv', 'Alien (1979).mkv'],
    ['東京物語 (1953).mkv', '東京物語 (1953).mkv'],
    ['Amélie.mkv', 'Amélie.mkv'],
    // NFD (e + combining acute, as macOS sends it) becomes NFC.
    ['Ame\u0301lie.mkv', 'Am\u00e9lie.mkv'],
    ['../../etc/passwd.mkv', 'passwd.mkv'],
    ['..\\x.mkv', 'x.mkv'],
    ['C:\\Users\\me\\Film.mkv', 'Film.mkv'],
    ['a:b*c?d"e<f>g|h.mkv', 'abcdefgh.mkv'],
    ['\u0000bad\u0007name\u009b\n.mkv', 'badname.mkv'],
    ['  ..hidden.mkv. ', 'hidden.mkv'],
    ['.bashrc', 'bashrc'],
    ['Season 01 - Episode 02.srt', 'Season 01 - Episode 02.srt'],
  ])('%p → %p', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it.each([undefined, '', '...', ' . ', '/', '../..', '<>|'])('%p has nothing usable: 400', (raw) => {
    expect(rejection(() => safeFileName(raw)).status).toBe(400);
  });

  it('shortens long names to 200 bytes in the stem, keeping the extension', () => {
    const latin = safeFileName(`${'x'.repeat(300)}.mkv`);
    expect(latin).toBe(`${'x'.repeat(196)}.mkv`);
    expect(Buffer.byteLength(latin)).toBe(MAX_FILE_NAME_BYTES);
    // 3-byte characters are never cut in half: 65 × 3 + 4 = 199 bytes.
    expect(safeFileName(`${'東'.repeat(100)}.mkv`)).toBe(`${'東'.repeat(65)}.mkv`);
    // Emoji (4 bytes, surrogate pairs in JS) stay whole too: 49 × 4 + 4 = 200.
    expect(safeFileName(`${'🎬'.repeat(60)}.mkv`)).toBe(`${'🎬'.repeat(49)}.mkv`);
  });
});

describe('parseFolderField', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['   ', []],
    ['Movies/Alien (1979)', ['Movies', 'Alien (1979)']],
    ['Movies\\Alien (1979)', ['Movies', 'Alien (1979)']],
    ['./Movies//Alien/', ['Movies', 'Alien']],
    ['Alien: Covenant', ['Alien Covenant']],
    ['Anime/東京物語', ['Anime', '東京物語']],
    ['Musique/Ame\u0301lie', ['Musique', 'Am\u00e9lie']],
  ])('%p → %p', (raw, segments) => {
    expect(parseFolderField(raw)).toEqual(segments);
  });

  it.each([
    ['../x', '".."'],
    ['a/../b', '".."'],
    ['a/ .. /b', '".."'],
    ['..', '".."'],
    ['/etc', 'relative'],
    ['\\\\server\\share', 'relative'],
    ['C:/Windows', 'relative'],
    ['c:x', 'relative'],
    ['a\u0000b', 'control characters'],
    ['a\nb', 'control characters'],
    ['a/.../b', 'no usable characters'],
  ])('%p → 400 (%s)', (raw, reason) => {
    const { status, message } = rejection(() => parseFolderField(raw));
    expect(status).toBe(400);
    expect(message).toContain(reason);
  });

  it('refuses absurd depth and length', () => {
    expect(rejection(() => parseFolderField(Array.from({ length: 33 }, () => 'a').join('/'))).status).toBe(400);
    expect(parseFolderField(Array.from({ length: 32 }, () => 'a').join('/'))).toHaveLength(32);
    expect(rejection(() => parseFolderField('x'.repeat(1025))).status).toBe(400);
    expect(rejection(() => parseFolderField('x'.repeat(201))).status).toBe(400);
  });
});

describe('parseFolderIndex', () => {
  it('defaults to the first folder and accepts an index of an existing one', () => {
    expect(parseFolderIndex(undefined, 1)).toBe(0);
    expect(parseFolderIndex('', 2)).toBe(0);
    expect(parseFolderIndex('1', 2)).toBe(1);
  });

  it.each(['2', '-1', 'x', '1.0', '0x1'])('%p with two folders → 400', (raw) => {
    const { status, message } = rejection(() => parseFolderIndex(raw, 2));
    expect(status).toBe(400);
    expect(message).toContain('"folderIndex" must be an integer from 0 to 1');
  });
});

describe('upload types', () => {
  const heads: Record<string, Buffer> = {
    mkv: padded(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01])),
    mp4: padded(bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0], 'isomiso2avc1mp41')),
    movMoov: padded(bytes([0, 0, 0x10, 0], 'moov')),
    avi: padded(bytes('RIFF', [0x10, 0, 0, 0], 'AVI LIST')),
    wav: padded(bytes('RIFF', [0x10, 0, 0, 0], 'WAVEfmt ')),
    webp: padded(bytes('RIFF', [0x10, 0, 0, 0], 'WEBPVP8 ')),
    ts: Buffer.concat([padded(bytes([0x47, 0x40, 0x00, 0x10]), 188), padded(bytes([0x47, 0x01]), 188)]),
    m2ts: Buffer.concat([padded(bytes([0, 0, 0, 0, 0x47, 0x40]), 192), padded(bytes([0, 0, 0, 0, 0x47]), 192)]),
    mpg: padded(bytes([0x00, 0x00, 0x01, 0xba, 0x44])),
    flac: padded(bytes('fLaC', [0x00, 0x00, 0x00, 0x22])),
    flacWithId3: padded(bytes('ID3', [3, 0, 0, 0, 0, 0, 10], 'TIT2\u0000\u0000\u0000\u0000\u0000\u0000', 'fLaC')),
    mp3Id3: padded(bytes('ID3', [4, 0, 0, 0, 0, 0, 0])),
    mp3Frame: padded(bytes([0xff, 0xfb, 0x90, 0x64])),
    ogg: padded(bytes('OggS', [0, 2])),
    jpeg: padded(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF')),
    png: padded(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR')),
    gif: padded(bytes('GIF89a', [1, 0, 1, 0])),
    zip: padded(bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0])),
    srt: Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nHello\n'),
    srtUtf16: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('1\r\n00:00:00,000 --> 00:00:01,000\r\nHallo\r\n', 'utf16le')]),
    vtt: Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n'),
    nfo: Buffer.from('<?xml version="1.0"?><movie><title>東京物語</title></movie>'),
  };

  it.each([
    ['Film.mkv', 'mkv'],
    ['Film.webm', 'mkv'],
    ['Film.mka', 'mkv'],
    ['Film.MP4', 'mp4'],
    ['Film.m4v', 'mp4'],
    ['Song.m4a', 'mp4'],
    ['Film.mov', 'mp4'],
    ['Old.mov', 'movMoov'],
    ['Film.avi', 'avi'],
    ['Song.wav', 'wav'],
    ['Image.webp', 'webp'],
    ['Recording.ts', 'ts'],
    ['Disc.m2ts', 'm2ts'],
    ['Old.mpg', 'mpg'],
    ['Song.flac', 'flac'],
    ['Tagged.flac', 'flacWithId3'],
    ['Song.mp3', 'mp3Id3'],
    ['Raw.mp3', 'mp3Frame'],
    ['Song.ogg', 'ogg'],
    ['Song.opus', 'ogg'],
    ['Cover.jpg', 'jpeg'],
    ['Cover.jpeg', 'jpeg'],
    ['Cover.png', 'png'],
    ['Anim.gif', 'gif'],
    ['Gallery.zip', 'zip'],
    ['Comic.cbz', 'zip'],
    ['Film.en.srt', 'srt'],
    ['Film.de.srt', 'srtUtf16'],
    ['Film.vtt', 'vtt'],
    ['Film.ass', 'srt'],
    ['movie.nfo', 'nfo'],
  ])('%s with %s content is accepted', (name, head) => {
    expect(() => checkUploadContent(name, heads[head])).not.toThrow();
  });

  it.each([
    ['notes.mkv', Buffer.from('just some text, renamed\n'), 'a .mkv must be a Matroska/WebM file, but this looks like text'],
    ['Cover.jpg', heads.png, 'a .jpg must be a JPEG image, but this looks like a PNG image'],
    ['Film.mp4', heads.mkv, 'a .mp4 must be an MP4/ISO media file, but this looks like a Matroska/WebM file'],
    [
      'Film.en.srt',
      padded(bytes([0x00, 0x01, 0x02, 0x03])),
      'a .srt must be a text file, but this looks like an unrecognised binary format',
    ],
    ['Comic.cbz', heads.jpeg, 'a .cbz must be a zip archive, but this looks like a JPEG image'],
    ['Song.flac', heads.mp3Frame, 'a .flac must be a FLAC file, but this looks like an MP3 file'],
    ['Short.ts', Buffer.from('Gotcha: a TypeScript file named .ts'), 'a .ts must be an MPEG transport stream, but this looks like text'],
    ['Film.avi', heads.wav, 'a .avi must be an AVI file, but this looks like a WAVE file'],
  ])('%s with the wrong content → 415', (name, head, detail) => {
    const { status, message } = rejection(() => checkUploadContent(name, head));
    expect(status).toBe(415);
    expect(message).toBe(`The content of "${name}" does not match its extension: ${detail}`);
  });

  it.each(['virus.exe', 'script.sh', 'page.html', 'archive.rar', 'Makefile', 'film.mkv.exe'])('%s is not an allowed type → 415', (name) => {
    const { status, message } = rejection(() => uploadTypeFor(name));
    expect(status).toBe(415);
    expect(message).toMatch(/cannot be uploaded|has no extension/);
    expect(message).toContain('allowed: mkv,');
  });

  it('an empty file → 400', () => {
    expect(rejection(() => checkUploadContent('empty.srt', Buffer.alloc(0)))).toEqual({ status: 400, message: '"empty.srt" is empty' });
  });

  it('a prototype key is not an extension', () => {
    expect(rejection(() => uploadTypeFor('x.constructor')).status).toBe(415);
    expect(rejection(() => uploadTypeFor('x.__proto__')).status).toBe(415);
  });
});
