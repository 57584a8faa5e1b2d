import { fastPathTarget } from './fast-path-target.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const get = (originalUrl: string, headers: Record<string, string> = {}, method = 'GET') => fastPathTarget({ method, originalUrl, headers });

describe('fastPathTarget', () => {
  it('takes GET and HEAD of stream/<uuid> with a signed token and at most a part', () => {
    expect(get(`/api/v1/stream/${ID}?st=abc.def`)).toEqual({ itemId: ID, token: 'abc.def' });
    expect(get(`/api/v1/stream/${ID}?st=abc&part=2`, {}, 'HEAD')).toEqual({ itemId: ID, token: 'abc', part: 2 });
    expect(get(`/api/v1/stream/${ID.toUpperCase()}?part=999&st=t`)).toEqual({ itemId: ID, token: 't', part: 999 });
    expect(get(`/api/v1/stream/${ID}?st=${encodeURIComponent('a+b/c=')}`)?.token).toBe('a+b/c=');
  });

  it.each([
    ['another method', `/api/v1/stream/${ID}?st=t`, {}, 'POST'],
    ['no token', `/api/v1/stream/${ID}`, {}, 'GET'],
    ['an empty token', `/api/v1/stream/${ID}?st=`, {}, 'GET'],
    ['a token twice', `/api/v1/stream/${ID}?st=a&st=b`, {}, 'GET'],
    ['an oversized token', `/api/v1/stream/${ID}?st=${'x'.repeat(513)}`, {}, 'GET'],
    ['another parameter', `/api/v1/stream/${ID}?st=t&x=1`, {}, 'GET'],
    ['part 0', `/api/v1/stream/${ID}?st=t&part=0`, {}, 'GET'],
    ['part 1000', `/api/v1/stream/${ID}?st=t&part=1000`, {}, 'GET'],
    ['a padded part', `/api/v1/stream/${ID}?st=t&part=01`, {}, 'GET'],
    ['a part twice', `/api/v1/stream/${ID}?st=t&part=1&part=2`, {}, 'GET'],
    ['a Bearer header', `/api/v1/stream/${ID}?st=t`, { authorization: 'Bearer x' }, 'GET'],
    ['an API key', `/api/v1/stream/${ID}?st=t`, { 'x-api-key': 'k' }, 'GET'],
    ['an HLS path', `/api/v1/stream/${ID}/hls/master.m3u8?st=t`, {}, 'GET'],
    ['not a uuid', `/api/v1/stream/${ID.slice(1)}?st=t`, {}, 'GET'],
    ['an encoded traversal', `/api/v1/stream/..%2F${ID}?st=t`, {}, 'GET'],
    ['a trailing slash', `/api/v1/stream/${ID}/?st=t`, {}, 'GET'],
    ['another prefix', `/api/v2/stream/${ID}?st=t`, {}, 'GET'],
  ])('passes on %s', (_case, url, headers, method) => {
    expect(get(url, headers as Record<string, string>, method)).toBeUndefined();
  });
});
