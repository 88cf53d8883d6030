#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The exit report, from the guest log of `scripts/qemu.sh exit`: for each
consumer and allocator, the time to exit N processes whose memory is
swapped out (every repetition, and the median), and the kernel's median
over zheap's.

    exit_report.py LOG

Passes (exit 0) only when every repetition ran, every child held its
memory and was reaped; the times themselves are printed, never judged.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_report import num, records, verdict  # noqa: E402

PAIRS = [("zswap", "zsmalloc", "zheap_zsmalloc"),
         ("zram", "kernel_zsmalloc", "zheap_zsmalloc")]


def main():
    recs = records(sys.argv[1], "EXIT")
    head = next((kv for kv in recs if "kernel" in kv), {})
    runs = [kv for kv in recs if "consumer" in kv]
    reps = int(head.get("reps", 0) or 0)
    problems = []
    print("Exit of %s processes with %s MiB each swapped out, %s vCPUs,"
          " Linux %s: ms from SIGKILL until all are reaped (under -icount:"
          " millions of guest instructions)" %
          (head.get("kids", "?"), head.get("mib", "?"),
           head.get("cpus", "?"), head.get("kernel", "?")))
    print("%-6s %-16s %9s %9s %7s  %s" % ("via", "allocator", "swapped",
                                         "resident", "median", "each"))
    for consumer, kernel, zheap in PAIRS:
        med = {}
        for alloc in (kernel, zheap):
            mine = [kv for kv in runs if kv["consumer"] == consumer and
                    kv["allocator"] == alloc]
            times = [num(kv, "exit_s") for kv in mine]
            if len(mine) != reps or any(kv.get("rc") != "0" for kv in mine):
                problems.append("%s/%s: %d of %d repetitions ran cleanly" %
                                (consumer, alloc, sum(kv.get("rc") == "0"
                                                      for kv in mine), reps))
            if not mine:
                continue
            med[alloc] = statistics.median(times)
            print("%-6s %-16s %9d %9d %7.1f  %s" %
                  (consumer, alloc,
                   statistics.median(num(kv, "swapped_pages") for kv in mine),
                   statistics.median(num(kv, "resident_pages") for kv in mine),
                   med[alloc] * 1e3,
                   " ".join("%.1f" % (t * 1e3) for t in times)))
        if med.get(zheap):
            print("%-6s kernel/zheap     %.2fx" %
                  (consumer, med.get(kernel, float("nan")) / med[zheap]))
    return verdict("exit", problems, not problems and reps > 0)


if __name__ == "__main__":
    sys.exit(main())
