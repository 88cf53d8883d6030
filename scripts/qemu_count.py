#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the serial log of a QEMU run of tests/qemu/init.

usage: qemu_count.py MODE LOG

MODE is what scripts/qemu.sh ran:
  test, stress, wb, ...  the scenarios: each "ZT: RESULT <name> PASS|FAIL"
                         line counts; prints "qemu: N passed, N failed"
  bench                  the allocator benchmark: passes when it printed
                         "zheap_bench: done" and no bad or failed object;
                         prints "bench: N passed, N failed"
  run, e2e               no count of their own (scripts/qemu.sh reports
                         them): only the checks below, by exit status

Every mode also fails when the guest did not print "ZT: DONE" (it
crashed, hung or was killed), when it did not dump its kernel log ("ZT:
KLOG" lines up to "ZT: KLOG-END"), or when scripts/klog.py finds a report
or an unexpected WARNING in that log.  Exit status 0 only when nothing
failed.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import klog  # noqa: E402

COUNTED = {"bench": "bench"}


def kernel_log(lines):
    """The guest's dmesg as it dumped it, and whether the dump ended."""
    out, ended = [], False
    for line in lines:
        if line.startswith("ZT: KLOG-END"):
            ended = True
        elif line.startswith("ZT: KLOG "):
            out.append(line[len("ZT: KLOG "):])
    return out, ended


def common_problems(lines):
    problems = []
    if not any(line.startswith("ZT: DONE") for line in lines):
        problems.append("guest did not finish (no ZT: DONE)")
    klines, ended = kernel_log(lines)
    if not ended:
        problems.append("guest did not dump its kernel log (no ZT: KLOG-END)")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems += ["kernel log: " + p for p in
                 klog.judge(klines, src=os.environ.get("ZHEAP_SRC", ""),
                            here=here)]
    return problems


def count_results(lines):
    passed = failed = 0
    for line in lines:
        m = re.match(r"ZT: RESULT (\S+) (PASS|FAIL)\b", line)
        if m:
            if m.group(2) == "PASS":
                passed += 1
            else:
                failed += 1
    return passed, failed


def count_bench(lines):
    done = any(line.startswith("ZT: BENCH zheap_bench: done") for line in lines)
    bad = [line for line in lines
           if re.match(r"ZT: BENCH .* (bad [1-9]|failed [1-9])", line) or
           line.startswith("ZT: RESULT kernel_log_clean FAIL")]
    return (1, 0) if done and not bad else (0, 1)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    try:
        with open(path, errors="replace") as f:
            lines = [line.rstrip("\n").replace("\r", "") for line in f]
    except OSError as e:
        lines = []
        print("qemu: cannot read %s: %s" % (path, e))
    problems = common_problems(lines)
    for p in problems:
        print("%s: %s" % (COUNTED.get(mode, "qemu"), p))
    if mode in ("run", "e2e"):
        return 0 if not problems else 1
    if mode == "bench":
        passed, failed = count_bench(lines)
        if problems and failed == 0:
            passed, failed = 0, 1
        print("bench: %d passed, %d failed" % (passed, failed))
    else:
        passed, failed = count_results(lines)
        failed += len(problems)
        if passed == 0:
            print("qemu: no scenario passed")
            failed += 1
        print("qemu: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
