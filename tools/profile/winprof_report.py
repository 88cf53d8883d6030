#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Name tools/profile/winprof.c's counts with the guest's kernel symbols.

    winprof_report.py BENCH_LOG WINPROF_OUT [TOP]

BENCH_LOG is scripts/qemu.sh's bench log of the same boot, whose
"ZT: SYM" lines are the guest's /proc/kallsyms text symbols (printed when
ZHEAP_QEMU_PLUGIN is set).  Prints, per window, the total and the TOP
(default 30) functions by instructions.
"""
import bisect
import collections
import sys


def symbols(log):
    syms = []
    with open(log, errors='replace') as f:
        for line in f:
            if not line.startswith('ZT: SYM '):
                continue
            parts = line.split()
            try:
                syms.append((int(parts[2], 16), ' '.join(parts[4:])))
            except (IndexError, ValueError):
                continue
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    addrs, names = symbols(sys.argv[1])
    if not addrs:
        sys.exit('no "ZT: SYM" lines in ' + sys.argv[1])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    windows = collections.defaultdict(collections.Counter)
    with open(sys.argv[2]) as f:
        for line in f:
            w, vaddr, n = line.split()
            i = bisect.bisect_right(addrs, int(vaddr, 16)) - 1
            windows[int(w)][names[i] if i >= 0 else '?'] += int(n)
    for w in sorted(windows):
        total = sum(windows[w].values())
        print(f'window {w}: {total} instructions')
        for name, n in windows[w].most_common(top):
            print(f'{n:12d} {100 * n / total:5.1f}%  {name}')


if __name__ == '__main__':
    main()
