import type { PluginManifest } from '@marquee/contracts';

export interface PluginLimits {
  timeoutMs: number;
  memoryMb: number;
  /** stdout and stderr together. */
  maxOutputBytes: number;
  /** HTTP requests one run may ask the server to make. */
  maxFetches: number;
}

/** What a run gets unless its manifest asks for less. */
export const DEFAULT_PLUGIN_LIMITS: PluginLimits = { timeoutMs: 30_000, memoryMb: 256, maxOutputBytes: 1024 * 1024, maxFetches: 20 };
/** What a manifest can never exceed. */
export const MAX_PLUGIN_LIMITS: PluginLimits = { timeoutMs: 120_000, memoryMb: 1024, maxOutputBytes: 8 * 1024 * 1024, maxFetches: 20 };

/** The limits of one plugin: its manifest's values where given, within the server's maxima. */
export function limitsFor(manifest: PluginManifest): PluginLimits {
  const asked = manifest.limits ?? {};
  const pick = (value: number | undefined, fallback: number, max: number) => Math.min(value ?? fallback, max);
  return {
    timeoutMs: pick(
      asked.timeoutSeconds === undefined ? undefined : Math.round(asked.timeoutSeconds * 1000),
      DEFAULT_PLUGIN_LIMITS.timeoutMs,
      MAX_PLUGIN_LIMITS.timeoutMs,
    ),
    memoryMb: pick(asked.memoryMb, DEFAULT_PLUGIN_LIMITS.memoryMb, MAX_PLUGIN_LIMITS.memoryMb),
    maxOutputBytes: pick(
      asked.maxOutputKb === undefined ? undefined : asked.maxOutputKb * 1024,
      DEFAULT_PLUGIN_LIMITS.maxOutputBytes,
      MAX_PLUGIN_LIMITS.maxOutputBytes,
    ),
    maxFetches: DEFAULT_PLUGIN_LIMITS.maxFetches,
  };
}
