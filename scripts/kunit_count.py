#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count zheap's KUnit results in a raw UML log and look for kernel reports.

usage: kunit_count.py FLAVOUR RAW_LOG

Prints the failing cases and reports, then "kunit-FLAVOUR: N passed,
N failed".  A skipped case, a missing suite or a log with no KTAP output is
a failure; so is anything scripts/klog.py finds in the log: a KASAN,
lockdep, list-debug, kmemleak or other kernel report, a WARNING that no
running case declared with zheap_test_expect_warn(), or a compiler warning
in zheap's own sources.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import klog  # noqa: E402

SUITES = ("zheap_contract", "zheap_pool", "zheap_zbud", "zheap_zsmalloc",
          "zheap_migrate", "zheap_lru", "zheap_zs_compat")
# The debug build has fault injection and kmemleak: the fault rounds, then
# kmemleak's scan after every other suite.
FLAVOUR_SUITES = {"debug": ("zheap_faults", "zheap_leaks")}


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

    for suite in SUITES + FLAVOUR_SUITES.get(flavour, ()):
        if suite not in seen:
            failed += 1
            problems.append(f"suite {suite}: did not run")

    with open(log, errors="replace") as f:
        text = f.read().splitlines()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for p in klog.judge(text, src=src, here=here, scoped=True):
        problems.append(p)
        failed += 1

    for p in problems:
        print(f"kunit-{flavour}: {p}")
    print(f"kunit-{flavour}: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
