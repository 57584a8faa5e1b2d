import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import yazl from 'yazl';

export const EXAMPLES = join(process.cwd(), 'plugins', 'examples');

export interface ZipEntry {
  name: string;
  data?: Buffer | string;
  /** Unix mode including the file type (0o100644 file, 0o120777 symlink…). */
  mode?: number;
}

/** A zip built with yazl; names are written as given (unsafe ones too: yazl's checks are bypassed by patching). */
export async function zipEntries(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const patches: { placeholder: Buffer; name: Buffer }[] = [];
  entries.forEach((entry, index) => {
    let name = entry.name;
    if (name.startsWith('/') || name.split('/').includes('..')) {
      const placeholder = `p${index}`.padEnd(name.length, 'x');
      patches.push({ placeholder: Buffer.from(placeholder), name: Buffer.from(name) });
      name = placeholder;
    }
    zip.addBuffer(Buffer.from(entry.data ?? ''), name, { mtime: new Date(2024, 0, 1), mode: entry.mode ?? 0o100644 });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const archive = Buffer.concat(chunks);
  for (const { placeholder, name } of patches) {
    for (let at = archive.indexOf(placeholder); at !== -1; at = archive.indexOf(placeholder, at + 1)) name.copy(archive, at);
  }
  return archive;
}

/** Every file of a folder as zip entries (execute bits kept), optionally under a top-level folder. */
export function folderEntries(dir: string, prefix = ''): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else entries.push({ name: `${prefix}${relative(dir, path)}`, data: readFileSync(path), mode: 0o100000 | (info.mode & 0o777) });
    }
  };
  walk(dir);
  return entries;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A .tar.gz of a folder made by the system's tar (symlinks kept as symlinks). */
export async function tarGz(dir: string): Promise<Buffer> {
  const out = join(mkdtempSync(join(tmpdir(), 'marquee-tar-')), 'plugin.tar.gz');
  await promisify(execFile)('tar', ['-czf', out, '-C', dir, '.']);
  return readFileSync(out);
}

/** A copy of an example plugin in a temp folder, its manifest changed by `edit`. */
export function copyExample(name: string, edit?: (manifest: Record<string, unknown>) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), `marquee-plugin-${name}-`)), name);
  cpSync(join(EXAMPLES, name), dir, { recursive: true });
  if (edit) {
    const path = join(dir, 'marquee-plugin.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    edit(manifest);
    writeFileSync(path, JSON.stringify(manifest, null, 2));
  }
  return dir;
}

/** A plugin folder written from scratch: a manifest and files (`mode` 0o755 for executables). */
export function writePlugin(manifest: Record<string, unknown>, files: Record<string, string | { data: string; mode: number }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'marquee-plugin-'));
  writeFileSync(join(dir, 'marquee-plugin.json'), JSON.stringify(manifest, null, 2));
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(join(dir, name), content);
    else writeFileSync(join(dir, name), content.data, { mode: content.mode });
  }
  return dir;
}
