/** A file ffprobe cannot read, or one it reads but that holds nothing playable (no streams, no duration). */
export class MediaProbeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaProbeError';
  }
}
