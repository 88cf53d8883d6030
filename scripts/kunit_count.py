#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count zheap's KUnit results in a raw UML log and look for kernel reports.

usage: kunit_count.py FLAVOUR RAW_LOG

Prints the failing cases and reports, then "kunit-FLAVOUR: N passed,
N failed".  A skipped case, a missing suite, a log with no KTAP output, or a
KASAN/lockdep/list-debug/kmemleak report or an unexpected WARNING is a
failure, and so is a compiler warning in zheap's files.  The only WARNINGs
expected are those our bad-input cases provoke on purpose, which are raised
from zheap's own files.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SUITES = ("zheap_contract", "zheap_pool", "zheap_zbud", "zheap_zsmalloc",
          "zheap_migrate", "zheap_lru", "zheap_zs_compat")

BAD = [
    r"BUG: KASAN",
    r"BUG: KFENCE",
    r"BUG: ",
    r"WARNING: possible",
    r"WARNING: inconsistent lock state",
    r"WARNING: suspicious RCU usage",
    r"WARNING: lock held when returning",
    r"INFO: possible",
    r"list_add corruption",
    r"list_del corruption",
    r"kmemleak: .* new suspected memory leaks",
    r"UBSAN:",
    r"Kernel panic",
    r"general protection fault",
]
# Our bad-input cases warn once on purpose, from the frontend.  kunit.py's
# UML config enables PCI-over-virtio without a device id, and 6.12's
# um_pci_init() warns about that at every boot, before any test runs.
EXPECTED_WARN = re.compile(r"WARNING: .* at (.*zheap/zpool/|arch/um/drivers/virt-pci\.c)")


def leaves(group, out, suite=None, depth=0):
    """Collect (suite, case, status) for every leaf; depth 1 is a suite."""
    if depth == 1:
        suite = group["name"]
    for case in group.get("test_cases", []):
        out.append((suite or group["name"], case["name"], case["status"]))
    for sub in group.get("sub_groups", []):
        leaves(sub, out, suite, depth + 1)


def main():
    flavour, log = sys.argv[1], sys.argv[2]
    src = os.environ["ZHEAP_SRC"]
    passed = failed = 0
    problems = []

    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        subprocess.run([sys.executable, os.path.join(src, "tools/testing/kunit/kunit.py"),
                        "parse", "--json=" + tmp.name, log],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        try:
            with open(tmp.name) as f:
                tree = json.load(f)
        except (OSError, ValueError):
            tree = {}

    cases = []
    leaves(tree, cases)
    seen = set()
    for group, name, status in cases:
        seen.add(group)
        if status == "PASS":
            passed += 1
        else:
            failed += 1
            problems.append(f"case {group}.{name}: {status}")

    for suite in SUITES:
        if suite not in seen:
            failed += 1
            problems.append(f"suite {suite}: did not run")

    with open(log, errors="replace") as f:
        text = f.read().splitlines()
    for line in text:
        # The build's own warnings in our files (tests included, which the
        # lint's W=1 module build does not compile) fail the run too.
        if re.search(r"/zheap/\S+:\d+:\d+: (warning|error): ", line):
            problems.append("build: " + line.strip())
            failed += 1
            continue
        if "WARNING:" in line and "at " in line and re.search(r"WARNING: CPU", line):
            if not EXPECTED_WARN.search(line):
                problems.append("report: " + line.strip())
                failed += 1
            continue
        for pat in BAD:
            if re.search(pat, line):
                problems.append("report: " + line.strip())
                failed += 1
                break

    for p in problems:
        print(f"kunit-{flavour}: {p}")
    print(f"kunit-{flavour}: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
