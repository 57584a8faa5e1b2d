import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; sizes and durations fit a JS number (< 2^53). */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? value : Number(value)),
};
