/** How an HDR picture is brought into SDR: by its transfer function (PQ for HDR10, HDR10+ and Dolby Vision; HLG). */
export type ToneMapping = 'pq' | 'hlg';

/** What must be done to a source's picture before it is shown as SDR frames. */
export interface PictureTreatment {
  /** Interlaced fields made whole frames. */
  deinterlace?: boolean;
  toneMap?: ToneMapping | null;
}

/** Frame for frame, only frames flagged as interlaced; progressive ones pass untouched. */
export const DEINTERLACE_FILTER = 'bwdif=mode=send_frame:parity=auto:deint=interlaced';

const TRANSFER = { pq: 'smpte2084', hlg: 'arib-std-b67' } as const;

/** The tone mapping a probe's HDR format needs ("hdr10", "hdr10+", "hlg", "dolby-vision"); null for SDR. */
export function toneMappingFor(hdr: string | null | undefined): ToneMapping | null {
  if (!hdr) return null;
  return hdr === 'hlg' ? 'hlg' : 'pq';
}

/**
 * HDR (BT.2020) to SDR BT.709 with zimg and the Hable curve. Given a size, the picture is resized
 * while still linear, which is cheaper and better than after. The output is planar float RGB tagged
 * BT.709: follow it with a pixel format the encoder takes.
 */
export function toneMapFilters(mapping: ToneMapping, size?: { width: number; height: number }): string[] {
  const resize = size ? `w=${size.width}:h=${size.height}:` : '';
  return [
    `zscale=${resize}tin=${TRANSFER[mapping]}:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
  ];
}

/** The filters that make a source's frames whole and SDR, before any scaling to a size of one's own. */
export function pictureFilters(treatment: PictureTreatment | undefined): string[] {
  return [...(treatment?.deinterlace ? [DEINTERLACE_FILTER] : []), ...(treatment?.toneMap ? toneMapFilters(treatment.toneMap) : [])];
}
