import { descendantsOf, parseChildren, parseProcStat, parseVmRssKb } from './process-tree.js';

describe('process tree parsing', () => {
  it('reads pid, parent and start time from /proc/<pid>/stat, whatever the command name holds', () => {
    const tail = 'S 41 42 42 0 -1 4194560 300 0 0 0 1 2 0 0 20 0 1 0 987654 12345678 900 18446744073709551615';
    expect(parseProcStat(`4242 (node) ${tail}`)).toEqual({ pid: 4242, ppid: 41, startTime: 987654 });
    expect(parseProcStat(`4243 (evil) 1 2 (x) ${tail}`)).toEqual({ pid: 4243, ppid: 41, startTime: 987654 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads VmRSS in KiB, 0 when the process has none', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   45120 kB\nRssAnon:\t   30000 kB\n')).toBe(45120);
    expect(parseVmRssKb('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBe(0);
  });

  it('reads a children file', () => {
    expect(parseChildren('12 13 99 \n')).toEqual([12, 13, 99]);
    expect(parseChildren('')).toEqual([]);
  });

  it('walks every descendant once, children of children included', () => {
    const children: Record<number, number[]> = { 1: [2, 3], 2: [4], 3: [], 4: [5, 2] };
    expect(descendantsOf(1, (pid) => children[pid] ?? []).sort()).toEqual([2, 3, 4, 5]);
    expect(descendantsOf(7, () => [])).toEqual([]);
  });
});
