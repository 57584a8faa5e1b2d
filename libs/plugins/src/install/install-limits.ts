/** Bounds on what one plugin package may contain (archive bombs, runaway folders). */
export const INSTALL_LIMITS = {
  /** Largest archive upload. */
  maxArchiveBytes: 50 * 1024 * 1024,
  /** Files and folders in one package. */
  maxEntries: 2000,
  /** Everything unpacked together. */
  maxTotalBytes: 200 * 1024 * 1024,
} as const;

/** The package breaks a rule (unsafe name, symlink, too large…); nothing of it is installed. */
export class PackageRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageRejectedError';
  }
}

/**
 * Why an entry name may not be unpacked, or null when it is safe: absolute paths (`/x`, `C:\x`,
 * `\\server`), backslashes, NUL bytes and any `..` segment are refused.
 */
export function unsafeEntryReason(name: string): string | null {
  if (name.length === 0) return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL byte in its name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.includes('\\')) return 'has a backslash in its name';
  if (name.split('/').includes('..')) return 'has a ".." segment';
  return null;
}

/** Throws unless `name` is safe to unpack. */
export function checkEntryName(name: string): void {
  const reason = unsafeEntryReason(name);
  if (reason) throw new PackageRejectedError(`The archive entry "${name.slice(0, 200)}" ${reason}; the archive is refused`);
}

/** Counts entries and bytes as a package is unpacked, refusing it past INSTALL_LIMITS. */
export class UnpackBudget {
  private entries = 0;
  private bytes = 0;

  entry(name: string): void {
    if (++this.entries > INSTALL_LIMITS.maxEntries)
      throw new PackageRejectedError(`The package has more than ${INSTALL_LIMITS.maxEntries} entries (at "${name}")`);
  }

  add(name: string, bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > INSTALL_LIMITS.maxTotalBytes)
      throw new PackageRejectedError(`The package unpacks to more than ${INSTALL_LIMITS.maxTotalBytes / 1024 / 1024} MiB (at "${name}")`);
  }
}
