#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the stats file and its documentation agree.

usage: stats_doc.py

Reads zheap_counters[] and the seq_printf() lines of zpool/stats.c, the
counter enum of core/core.h and the field tables of
Documentation/stats.rst, and fails unless:
- every table entry's name, struct zheap_stats field and ZHEAP_C_ item
  are the same word, and every item of the enum has an entry;
- every field the stats file prints is documented, and every documented
  field is printed;
- every field zpool/sysfs.c makes a file of is one the stats file prints
  (sysfs shows debugfs's fields, one per file, and the pool's name);
- the column tables under "Per-class detail" name exactly the columns
  of the backends' show_classes() header lines (zsmalloc/, zbud/).
Ends with "stats-doc: OK" or the problems, exit 1.
"""
import re
import sys

ENTRY = re.compile(r'\[ZHEAP_C_(\w+)\] = \{ "(\w+)", SNAP\((\w+)\), (true|false) \}')


def main():
    stats = open("zpool/stats.c").read()
    core = open("core/core.h").read()
    doc, _, classes_doc = open("Documentation/stats.rst").read().partition(
        "\nPer-class detail\n")
    sysfs = open("zpool/sysfs.c").read()
    problems = []

    enum = re.search(r"enum zheap_counter_item \{(.*?)\};", core, re.S)
    items = re.findall(r"ZHEAP_C_(\w+),", enum.group(1)) if enum else []
    entries = ENTRY.findall(stats)
    for item, name, field, _ in entries:
        if not item.lower() == name == field:
            problems.append("table entry ZHEAP_C_%s names \"%s\" and field %s"
                            % (item, name, field))
    missing = set(items) - {e[0] for e in entries}
    problems += ["ZHEAP_C_%s has no zheap_counters[] entry" % i
                 for i in sorted(missing)]

    printed = set(re.findall(r'seq_printf\(m, "(\w+) %', stats))
    printed |= {e[1] for e in entries}
    documented = set(re.findall(r"^(\w+)\s{2,}\S", doc, re.M)) - {"field"}
    problems += ["stats field %s is not in Documentation/stats.rst" % f
                 for f in sorted(printed - documented)]
    problems += ["Documentation/stats.rst lists %s, which no stats file shows"
                 % f for f in sorted(documented - printed)]
    in_sysfs = set(re.findall(r"__ATTR_RO\((\w+)\)", sysfs))
    in_sysfs |= set(re.findall(r'\{ "(\w+)", SNAP\(', sysfs))
    in_sysfs -= {"name"}
    problems += ["zpool/sysfs.c has %s, which the stats file does not show" % f
                 for f in sorted(in_sysfs - printed)]
    columns = set()
    for backend in ("zsmalloc/zsmalloc.c", "zbud/zbud.c"):
        head = re.findall(r'seq_puts\(m, "([\w ]+)\\n"\);', open(backend).read())
        if len(head) != 1:
            problems.append("%s: not one show_classes() header line" % backend)
        for h in head:
            columns |= set(h.split())
    col_doc = set(re.findall(r"^(\w+)\s{2,}\S", classes_doc, re.M)) - {"column"}
    problems += ["class column %s is not in Documentation/stats.rst" % c
                 for c in sorted(columns - col_doc)]
    problems += ["Documentation/stats.rst lists class column %s, which no "
                 "backend prints" % c for c in sorted(col_doc - columns)]
    for p in problems:
        print("stats-doc: " + p)
    print("stats-doc: %d counters, %d fields, %s" %
          (len(entries), len(printed), "OK" if not problems else
           "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
