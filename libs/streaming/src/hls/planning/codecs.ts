/** H.264 levels (× 10) with their limits: macroblocks per second and per frame (ITU-T H.264 Table A-1). */
const LEVELS: readonly { level: number; maxMbps: number; maxFs: number }[] = [
  { level: 30, maxMbps: 40_500, maxFs: 1_620 },
  { level: 31, maxMbps: 108_000, maxFs: 3_600 },
  { level: 32, maxMbps: 216_000, maxFs: 5_120 },
  { level: 40, maxMbps: 245_760, maxFs: 8_192 },
  { level: 42, maxMbps: 522_240, maxFs: 8_704 },
  { level: 50, maxMbps: 589_824, maxFs: 22_080 },
  { level: 51, maxMbps: 983_040, maxFs: 36_864 },
  { level: 52, maxMbps: 2_073_600, maxFs: 36_864 },
];

/** The lowest level (never below 3.0) that allows this picture size at this frame rate. */
export function h264Level(width: number, height: number, frameRate: number): number {
  const frameSize = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = frameSize * frameRate;
  return (LEVELS.find((l) => frameSize <= l.maxFs && perSecond <= l.maxMbps) ?? LEVELS[LEVELS.length - 1]).level;
}

/** `3.1` for 31: the form x264 takes. */
export const levelOption = (level: number) => (level / 10).toFixed(1);

/** RFC 6381 codec string of the H.264 High profile at a level: avc1.PPCCLL. */
export const h264Codec = (level: number) => `avc1.6400${level.toString(16).padStart(2, '0')}`;

/** AAC-LC. */
export const AAC_CODEC = 'mp4a.40.2';
