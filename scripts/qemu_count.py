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
  run, e2e, limit, exit  no count of their own (scripts/qemu.sh reports
                         them): only the checks below, by exit status

ZHEAP_QEMU_LABEL, if set, names the counted line instead of "qemu" (make
check's race and race-debug venues, which run modes other than test).

Every mode also fails when the guest did not print "ZT: DONE" (it
crashed, hung or was killed), when it did not dump its kernel log ("ZT:
KLOG" lines up to "ZT: KLOG-END"), when scripts/klog.py finds a report or
an unexpected WARNING in that log, or when it holds one of the debug
guest kernel's reports that klog.py's list does not name (DEBUG_REPORTS).
Exit status 0 only when nothing failed.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import klog  # noqa: E402

COUNTED = {"bench": "bench"}

# What the debug guest kernel (scripts/guest_kernel.sh: KASAN, lockdep,
# DEBUG_VM, DEBUG_LIST, DEBUG_PAGEALLOC, KFENCE, SLUB debugging) reports
# in lines klog.ONE_LINE does not match.  Most of these reports also raise
# a WARN or an Oops that klog.py fails on; this names the report itself,
# and catches the ones that do not (SLUB repairs what it found and goes
# on; lockdep's headers are not WARNs).  Matched after the timestamp.
DEBUG_REPORTS = [
    r"^kernel BUG at ",                         # BUG(), VM_BUG_ON*()
    r"^page dumped because: ",                  # DEBUG_VM's dump_page()
    r"\bVM_BUG_ON",
    # lockdep's and RCU's headers ("WARNING: HARDIRQ-safe -> ...", "Nested
    # lock was not taken", "... still has locks held!"), not a WARN's
    # "WARNING: CPU: 1 PID: 2 at ...", which klog.py judges on its own
    r"^WARNING: (?!CPU: \d+ PID: \d+ )",
    r"^INFO: trying to register non-static key",
    r"^list_add double add",                    # DEBUG_LIST
    r"^BUG \S+ \([^)]*\): ",                    # SLUB's slab_bug()
    r"^\[[A-Za-z ]+ overwritten\] ",            # SLUB: poison, redzone, padding
    r"^FIX \S+: ",                              # SLUB: what it repaired
    r"^pagealloc: (memory corruption|single bit error)",  # PAGE_POISONING
    r"KASAN: (maybe wild-memory-access|null-ptr-deref)",
]


def kernel_log(lines):
    """The guest's dmesg as it dumped it, and whether the dump ended."""
    out, ended = [], False
    for line in lines:
        if line.startswith("ZT: KLOG-END"):
            ended = True
        elif line.startswith("ZT: KLOG "):
            out.append(line[len("ZT: KLOG "):])
    return out, ended


def debug_reports(klines):
    """The DEBUG_REPORTS lines of a kernel log that klog.judge() did not
    already report by its own one-line list."""
    out = []
    for raw in klines:
        line = klog.strip(raw).strip()
        if any(re.search(p, line) for p in klog.ONE_LINE):
            continue
        if any(re.search(p, line) for p in DEBUG_REPORTS):
            out.append("report: " + line)
    return out


def common_problems(lines):
    problems = []
    if not any(line.startswith("ZT: DONE") for line in lines):
        problems.append("guest did not finish (no ZT: DONE)")
    klines, ended = kernel_log(lines)
    if not ended:
        problems.append("guest did not dump its kernel log (no ZT: KLOG-END)")
    # ZHEAP_MODSRC: where the guest's modules were built, when not here
    # (the debug guest's copy of the tree): a WARN names its files there.
    here = os.environ.get("ZHEAP_MODSRC") or \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems += ["kernel log: " + p for p in
                 klog.judge(klines, src=os.environ.get("ZHEAP_SRC", ""),
                            here=here) + debug_reports(klines)]
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
    if mode in ("run", "e2e", "limit", "exit"):
        return 0 if not problems else 1
    if mode == "bench":
        passed, failed = count_bench(lines)
        if problems and failed == 0:
            passed, failed = 0, 1
        print("bench: %d passed, %d failed" % (passed, failed))
    else:
        label = os.environ.get("ZHEAP_QEMU_LABEL") or "qemu"
        passed, failed = count_results(lines)
        failed += len(problems)
        if passed == 0:
            print("%s: no scenario passed" % label)
            failed += 1
        print("%s: %d passed, %d failed" % (label, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
