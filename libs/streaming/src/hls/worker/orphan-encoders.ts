import { readdir, readFile } from 'node:fs/promises';

/**
 * Kills the processes of this host whose command line mentions one of `folders` (the encoders a
 * crashed worker left behind, writing into work folders nobody will publish from). Linux only:
 * elsewhere, or without /proc, it does nothing and such an encoder dies when its folder is removed.
 */
export async function killEncodersWorkingIn(folders: string[]): Promise<number> {
  if (folders.length === 0 || process.platform !== 'linux') return 0;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  let killed = 0;
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (!folders.some((folder) => args.some((arg) => arg.startsWith(`${folder}/`)))) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // Gone already, or not ours to kill.
    }
  }
  return killed;
}
