#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What the built modules promise the kernel they load into (a lint step).

- Static per-CPU data: every module's .data..percpu section comes out of
  one area that all modules share (PERCPU_MODULE_RESERVE, 8 KiB on
  x86_64).  A module that takes much of it makes later module loads fail
  on hosts with many modules; big per-CPU buffers are allocated at init.
  Each module may use at most PERCPU_LIMIT bytes.
- Backend aliases: zheap asks for module alias "zheap-backend-<name>"
  when a pool names a backend no module has registered
  (core/registry.c).  Each backend module declares exactly its own, and
  no other module declares any, so a name can load nothing but a backend.

Run from the tree after a build; prints one line per problem and exits 1
if there is any.
"""

import re
import subprocess
import sys
from pathlib import Path

PERCPU_LIMIT = 256
BACKENDS = {"zheap_zbud.ko": "zbud", "zheap_zsmalloc.ko": "zsmalloc"}
# Built for the QEMU guest and the benchmark; never installed, never an
# answer to a backend name.
OTHERS = ["zheap.ko", "zheap_bench.ko", "zheap_stress.ko",
          "zheap_wb_stress.ko"]


def percpu_bytes(ko):
    out = subprocess.run(["readelf", "-S", "-W", str(ko)], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.search(r"\]\s+\.data\.\.percpu\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)",
                      line)
        if m:
            return int(m.group(1), 16)
    return 0


def aliases(ko):
    out = subprocess.run(["modinfo", "-F", "alias", str(ko)], check=True,
                         capture_output=True, text=True).stdout
    return [a for a in out.split() if a]


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    problems = []
    for name in list(BACKENDS) + OTHERS:
        ko = root / name
        if not ko.exists():
            problems.append(f"{name}: not built")
            continue
        size = percpu_bytes(ko)
        if size > PERCPU_LIMIT:
            problems.append(f"{name}: {size} bytes of static per-CPU data "
                            f"(at most {PERCPU_LIMIT}: allocate it at init)")
        have = [a for a in aliases(ko) if a.startswith("zheap")]
        want = ([f"zheap-backend-{BACKENDS[name]}"] if name in BACKENDS
                else [])
        if sorted(have) != want:
            problems.append(f"{name}: zheap aliases {have or 'none'}, "
                            f"want {want or 'none'}")
    for p in problems:
        print(p)
    print(f"modules: {len(BACKENDS) + len(OTHERS)} modules, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
