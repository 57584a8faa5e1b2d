import { execFileSync } from 'node:child_process';

/** Process ids whose command line mentions `text` (pgrep -f); [] when none. */
export function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export const processRunning = (text: string): boolean => processesMentioning(text).length > 0;
