#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every dependency between zheap's layers points down.

usage: layers.py [--list]

Run from the project's top after a module build (the lint's W=1 build
leaves the objects).  Two kinds of edge are read:

- includes: every #include "..." of a .c or .h file, resolved to the
  folder it names;
- symbols: every undefined symbol of an object file that another layer's
  object defines (nm), i.e. a call or a data reference across folders.

The layers and who may use whom (DESIGN.md, "Layers and their
contracts"): zpool/ -> {lru/, migrate/} -> core/; the backends (zbud/,
zsmalloc/) -> core/; include/ is public to all.  lru/ and migrate/ do not
use each other; nothing uses zpool/ but zpool/; tests/ and tools/ may use
every layer and none may use them.

scripts/layers.allow lists the edges the tree has not shed yet, one per
line ("FILE TARGET FOLDER", TARGET a symbol or an included path), each a
debt with its reason in a comment.  An edge that breaks the rules and is
not listed fails the check; so does a listed edge that no longer exists,
so the list can only shrink.  --list prints every rule-breaking edge in
the list's format.  It also fails on a file of core/, zpool/, lru/ or
migrate/ longer than MAX_LINES: a layer's files stay small enough to
read whole.  Ends with "layers: OK" or the problems, exit 1.
"""
import os
import re
import subprocess
import sys

LAYERS = ("core", "lru", "migrate", "zbud", "zsmalloc", "zpool")
MAY_USE = {
    "core": set(),
    "lru": {"core"},
    "migrate": {"core"},
    "zbud": {"core"},
    "zsmalloc": {"core"},
    "zpool": {"core", "lru", "migrate"},
}
ALLOW = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "layers.allow")
MAX_LINES = 800
SHARED_LAYERS = ("core", "zpool", "lru", "migrate")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder(path):
    top = path.split("/", 1)[0]
    return top if "/" in path else ""


def sources():
    out = subprocess.run(["git", "ls-files", "*.c", "*.h"],
                         capture_output=True, text=True, check=True).stdout
    return [p for p in out.split() if folder(p) in LAYERS]


def include_edges(files):
    edges = []
    for path in files:
        with open(path, errors="replace") as f:
            for line in f:
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(path),
                                                       m.group(1)))
                if os.path.exists(target):
                    edges.append((path, m.group(1), folder(target)))
    return edges


def nm(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRGSVW":
            defined.add(parts[2])
    return defined, undefined


def symbol_edges(files):
    objs = sorted({os.path.splitext(p)[0] + ".o" for p in files
                   if p.endswith(".c")})
    missing = [o for o in objs if not os.path.exists(o)]
    if missing:
        raise SystemExit("layers: no object %s: build the modules first"
                         % missing[0])
    owner, wants = {}, {}
    for o in objs:
        defined, undefined = nm(o)
        for s in defined:
            owner[s] = o
        wants[o] = undefined
    edges = []
    for o, undefined in wants.items():
        src = os.path.splitext(o)[0] + ".c"
        for s in sorted(undefined):
            if s in owner:
                edges.append((src, s, folder(owner[s])))
    return edges


def breaks_rules(path, target_folder):
    here = folder(path)
    if target_folder in ("", "include") or target_folder == here:
        return False
    if target_folder in ("tests", "tools"):
        return True
    return target_folder not in MAY_USE.get(here, set())


def read_allow():
    allowed = set()
    if os.path.exists(ALLOW):
        with open(ALLOW) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if len(line) == 3:
                    allowed.add(tuple(line))
    return allowed


def main():
    files = sources()
    edges = sorted(set(include_edges(files) + symbol_edges(files)))
    bad = [e for e in edges if breaks_rules(e[0], e[2])]
    if "--list" in sys.argv:
        for e in bad:
            print("%s %s %s" % e)
        return 0
    allowed = read_allow()
    problems = ["new upward or sideways edge: %s uses %s (%s/)" % e
                for e in bad if e not in allowed]
    problems += ["%s lists an edge that is gone, remove it: %s" %
                 (os.path.basename(ALLOW), " ".join(e))
                 for e in sorted(allowed - set(bad))]
    for path in files:
        if folder(path) in SHARED_LAYERS:
            with open(path, errors="replace") as f:
                n = sum(1 for _ in f)
            if n > MAX_LINES:
                problems.append("%s has %d lines, more than %d" %
                                (path, n, MAX_LINES))
    for p in problems:
        print("layers: " + p)
    print("layers: %d edges read, %d still listed as debt, %s" %
          (len(edges), len(allowed & set(bad)),
           "OK" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
