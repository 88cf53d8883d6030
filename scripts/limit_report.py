#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pool-limit report, from the guest log of `scripts/qemu.sh limit`:
one table on stdout, the figures as a data file and a plot (SVG and PNG,
by gnuplot).

    limit_report.py LOG OUTDIR

Each of zswap's allocators, in one boot, with zswap's own pool limit:
(a) the pool when a fill larger than the guest is done (reclaim ran all
through it), (b) the pool after the churn (rounds of a random quarter of
the pages freed and written again), with what zswap sent to the disk
meanwhile: the pages its shrinker wrote back (written_back_pages), the
stores it turned away at the limit (pool_limit_hit) or for another
reason (reject_*), and every page that went to the swap disk (pswpout).

Passes (exit 0) only when every run finished and every page read back
intact; the figures themselves are printed, never judged.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_report import num, records, render, verdict, write_dat  # noqa: E402

RUNS = ["zbud", "zsmalloc", "zheap_zbud", "zheap_zsmalloc"]
LABEL = {"zbud": "zbud", "zsmalloc": "zsmalloc",
         "zheap_zbud": "zheap zbud", "zheap_zsmalloc": "zheap zsmalloc"}
REJECTS = ["reject_reclaim_fail", "reject_alloc_fail",
           "reject_kmemcache_fail", "reject_compress_fail",
           "reject_compress_poor"]


def parse(log):
    head, runs, failed = {}, {}, []
    for kv in records(log, "LIMIT"):
        if "allocator" in kv:
            if "failed" in kv:
                failed.append("%s: %s" % (kv["allocator"], kv["failed"]))
            else:
                runs[kv["allocator"]] = kv
        elif "kernel" in kv:
            head = kv
    return head, runs, failed


def state(kv, pre):
    """density, stored pages per pool page, metadata bytes per object."""
    pool = num(kv, pre + "_pool")
    pages = pool / 4096
    return (num(kv, pre + "_compr") / pool if pool > 0 else float("nan"),
            num(kv, pre + "_stored_all") / pages if pages > 0 else float("nan"),
            num(kv, pre + "_meta"), pages)


def shares(log, kv):
    """Where zheap zsmalloc's pool goes at (b), from its ZT: CLASSES lines
    (class size span_pages span_objs spans objects pages slots; the last
    two are new with trimmed spans), as shares of the
    pool: class rounding, free slots of partly used spans, span tails,
    pages outside spans, and the share held by one-per-page classes.  The
    classes are read just after the pool's size, while reclaim and the
    background worker go on, so the shares are good to about 0.001 (pages
    outside spans can come out a little below 0)."""
    rows = []
    for line in open(log, errors="replace"):
        f = line.split()
        if (line.startswith("ZT: CLASSES allocator=zheap_zsmalloc ") and
                len(f) in (9, 11) and f[3].isdigit()):
            row = [int(x) for x in f[3:]]
            if len(row) == 6:   # before trimming: whole spans only
                row += [row[4] * row[2], row[4] * row[3]]
            rows.append(row)
    pool = num(kv, "churned_pool")
    if not rows or not pool > 0:
        return None
    tail = empty = used = huge = pages = 0
    for _, size, span_pages, span_objs, spans, objects, cpages, slots in rows:
        pages += cpages
        tail += cpages * 4096 - slots * size
        empty += (slots - objects) * size
        used += objects * size
        if span_objs <= span_pages:
            huge += objects * size
    return ((used - num(kv, "churned_compr")) / pool, empty / pool,
            tail / pool, (pool - pages * 4096) / pool, huge / pool)


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    head, runs, failed = parse(log)
    problems = list(failed)
    print("zswap at its pool limit: %s MiB (zload, seed %s), %s churn"
          " rounds of a random quarter, max_pool_percent 20,"
          " zheap.compact_threshold %s, one boot, Linux %s" %
          (head.get("mib", "?"), head.get("seed", "?"),
           head.get("rounds", "?"), head.get("threshold", "?"),
           head.get("kernel", "?")))
    print("(a) filled while reclaim ran; (b) after the churn.  density:"
          " compressed bytes / pool bytes; per_pp: stored pages per pool"
          " page; meta: metadata bytes per object; to_disk: pswpout;"
          " settle: seconds until the pool stopped changing, before (a)"
          " and before (b) were read")
    print("%-15s %7s %6s %4s %6s | %7s %6s %4s %6s %7s %7s %7s %6s %7s %7s"
          " %7s"
          % ("allocator", "a:dens", "per_pp", "meta", "disk",
             "b:dens", "per_pp", "meta", "pool", "wrback", "lim_hit",
             "reject", "cmpct", "to_disk", "run_s", "settle"))
    rows = []
    want = [k for k in RUNS if k in head.get("allocs", ",".join(RUNS)).split(",")]
    for key in want:
        kv = runs.get(key)
        if kv is None:
            problems.append("%s: no result" % key)
            continue
        a, b = state(kv, "filled"), state(kv, "churned")
        reject = sum(int(num(kv, r)) for r in REJECTS)
        run_s = num(kv, "write_s") + num(kv, "churn_s")
        print("%-15s %7.3f %6.2f %4d %6d | %7.3f %6.2f %4d %6d %7d %7d %7d"
              " %6d %7d %7.1f %7s" %
              (LABEL[key], a[0], a[1], a[2], num(kv, "filled_pswpout"),
               b[0], b[1], b[2], b[3], num(kv, "written_back_pages"),
               num(kv, "pool_limit_hit"), reject,
               num(kv, "bg_pages_compacted"), num(kv, "pswpout"), run_s,
               "%s/%s" % (kv.get("filled_settle_s", "-"),
                          kv.get("settle_s", "-"))))
        if kv.get("bad_pages") != "0":
            problems.append("%s: bad_pages=%s" % (key, kv.get("bad_pages")))
        rows.append((LABEL[key], a[0], b[0], num(kv, "written_back_pages"),
                     num(kv, "pswpout"), run_s))

    part = shares(log, runs.get("zheap_zsmalloc", {}))
    if part:
        print("zheap zsmalloc at (b), shares of its pool: class rounding %.4f,"
              " free slots in partly used spans %.4f, span tails %.4f,"
              " pages outside spans %.4f; one-per-page classes hold %.4f" %
              part)
    dat = write_dat(outdir, "limit", "label filled_density churned_density"
                    " written_back pswpout run_s",
                    '"%s" %.4f %.4f %d %d %.2f', rows)
    title = ("zswap at its pool limit: %s MiB (seed %s), %s churn rounds,"
             " Linux %s; made by: make bench" %
             (head.get("mib", "?"), head.get("seed", "?"),
              head.get("rounds", "?"), head.get("kernel", "?")))
    plot = """
set xtics font ",9" nomirror
set grid ytics
set key top right horizontal font ",8"
set title "Density: compressed bytes / pool bytes (1.0 is ideal)"
set yrange [0:1.25]
plot "{dat}" using 2:xtic(1) title "(a) filled" linecolor rgb "#3b75af", \\
     "" using 3 title "(b) after the churn" linecolor rgb "#4c9a4c"
set title "Pages to the swap disk during the run"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
plot "{dat}" using 4:xtic(1) title "written back by zswap" linecolor rgb "#d9822b", \\
     "" using 5 title "all to disk (pswpout)" linecolor rgb "#b0b0b0"
unset multiplot
""".format(dat=dat)
    problems += render(outdir, "limit", title, plot)
    return verdict("limit", problems,
                   not problems and len(rows) == len(want) > 0)


if __name__ == "__main__":
    sys.exit(main())
