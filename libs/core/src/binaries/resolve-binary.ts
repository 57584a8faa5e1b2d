import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export type BinaryName = 'ffmpeg' | 'ffprobe';
export type BinarySource = 'env' | 'path' | 'bundled';

export interface ResolvedBinary {
  name: BinaryName;
  path: string;
  source: BinarySource;
}

const require = createRequire(import.meta.url);

function isExecutable(file: string): boolean {
  try {
    return statSync(file).isFile() && (accessSync(file, constants.X_OK), true);
  } catch {
    return false;
  }
}

export function findOnPath(name: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function bundled(name: BinaryName): string | undefined {
  try {
    const pkg =
      name === 'ffmpeg' ? (require('@ffmpeg-installer/ffmpeg') as { path: string }) : (require('ffprobe-static') as { path: string });
    return isExecutable(pkg.path) ? pkg.path : undefined;
  } catch {
    return undefined;
  }
}

/** ffmpeg/ffprobe: the configured path, else the one on PATH, else the static build shipped in npm. */
export function resolveBinary(name: BinaryName, configured: string | undefined, pathVariable?: string): ResolvedBinary {
  if (configured) return { name, path: configured, source: 'env' };
  const onPath = findOnPath(name, pathVariable);
  if (onPath) return { name, path: onPath, source: 'path' };
  const shipped = bundled(name);
  if (shipped) return { name, path: shipped, source: 'bundled' };
  throw new Error(`${name} was not found: set ${name.toUpperCase()}_PATH, install it on PATH, or reinstall the npm packages`);
}
