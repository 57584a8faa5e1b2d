import { fillTemplate, fillUrl } from './url-template.js';

describe('URL templates', () => {
  const variables = {
    settings: { baseUrl: 'https://api.example.org/v3', key: 'k y' },
    query: { title: 'Alien & Co/2', year: 1979 },
    ref: '../../admin',
  };

  it('encodes values in the path and query, never letting them choose the host', () => {
    expect(fillUrl('{settings.baseUrl}/search?q={query.title}&y={query.year}', variables)).toBe(
      'https://api.example.org/v3/search?q=Alien%20%26%20Co%2F2&y=1979',
    );
    expect(fillUrl('https://api.example.org/movie/{ref}?key={settings.key}', variables)).toBe(
      'https://api.example.org/movie/..%2F..%2Fadmin?key=k%20y',
    );
    expect(fillUrl('https://{query.title}.example.org/x', variables)).toBe('https://.example.org/x');
  });

  it('fills header values as they are, without line breaks; unknown variables are empty', () => {
    expect(fillTemplate('Bearer {settings.key}', variables, false)).toBe('Bearer k y');
    expect(fillTemplate('{query.title}', { query: { title: 'a\r\nInjected: 1' } }, false)).toBe('aInjected: 1');
    expect(fillTemplate('x{nothing.here}y', variables, true)).toBe('xy');
  });
});
