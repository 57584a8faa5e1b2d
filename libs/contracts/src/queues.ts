/** Every BullMQ queue Marquee runs. Names are part of the contract between api and worker. */
export const QUEUE_NAMES = [
  'library-scan',
  'media-probe',
  'fingerprint',
  'thumbnail',
  'trickplay',
  'audio-tags',
  'audio-waveform',
  'extract-subtitles',
  'hls-transcode',
  'metadata-import',
  'plugin-run',
  'library-maintenance',
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** Payload of the `ping` job on `library-maintenance`: a round trip api → queue → worker. */
export interface PingJobPayload {
  sentAt: string;
  nonce: string;
}

export interface PingJobResult {
  nonce: string;
  workerId: string;
  receivedAt: string;
}
