import { DEINTERLACE_FILTER, pictureFilters, toneMapFilters, toneMappingFor } from './picture-filters.js';

describe('picture filters', () => {
  it('tone-maps HLG from HLG and every other HDR format from PQ; SDR not at all', () => {
    expect(['hdr10', 'hdr10+', 'dolby-vision', 'hlg', null, undefined, ''].map(toneMappingFor)).toEqual([
      'pq',
      'pq',
      'pq',
      'hlg',
      null,
      null,
      null,
    ]);
  });

  it('tone mapping reads the source as BT.2020 with its transfer, works in linear light, and ends tagged BT.709', () => {
    const [first, ...rest] = toneMapFilters('hlg', { width: 1280, height: 720 });
    expect(first).toBe('zscale=w=1280:h=720:tin=arib-std-b67:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100');
    expect(rest).toEqual(['format=gbrpf32le', 'zscale=p=bt709', 'tonemap=tonemap=hable:desat=0', 'zscale=t=bt709:m=bt709:r=tv']);
    expect(toneMapFilters('pq')[0]).toBe('zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100');
  });

  it('deinterlaces first, then tone-maps; nothing for a plain picture', () => {
    expect(pictureFilters({ deinterlace: true, toneMap: 'pq' })).toEqual([DEINTERLACE_FILTER, ...toneMapFilters('pq')]);
    expect(pictureFilters({ deinterlace: false, toneMap: null })).toEqual([]);
    expect(pictureFilters(undefined)).toEqual([]);
  });
});
