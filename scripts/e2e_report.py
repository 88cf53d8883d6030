#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The end-to-end benchmark's report, from the guest log of
`scripts/qemu.sh e2e`: one table on stdout, the figures as a data file,
and a plot (SVG and PNG, by gnuplot) of density and speed per allocator.

    e2e_report.py LOG OUTDIR COMMAND

Each run is measured in four states: filled while reclaim runs, then
(when the guest ran them: zt.e2e_idle) a random half freed, the same after
idle seconds with free memory, and after every shrinker ran
(drop_caches=2), with the CPU time zheap's background compaction took in
the idle window.

Passes (exit 0) only when all seven runs finished and every page read
back intact; the figures themselves are printed, never judged.
"""
import os
import re
import subprocess
import sys

# The runs the guest makes, in its order, and what the table and the plot
# call each: the kernel's allocators by name, zheap's with its backend.
LABEL = {
    ("zswap", "zbud"): "zswap/zbud",
    ("zswap", "zsmalloc"): "zswap/zsmalloc",
    ("zswap", "zheap_zbud"): "zswap/zheap zbud",
    ("zswap", "zheap_zsmalloc"): "zswap/zheap zsmalloc",
    ("zram", "kernel_zsmalloc"): "zram.ko/zsmalloc",
    ("zram", "zheap_zsmalloc"): "zheap_zram/zsmalloc",
    ("zram", "zheap_zbud"): "zheap_zram/zbud",
}
RUNS = list(LABEL)


def records(log, tag):
    """The key=value words of each "ZT: TAG " line of LOG, in order."""
    return [dict(re.findall(r"(\w+)=(\S+)", line))
            for line in open(log, errors="replace")
            if line.startswith("ZT: %s " % tag)]


def parse(log):
    head, runs, failed = {}, {}, []
    for kv in records(log, "E2E"):
        if "consumer" in kv:
            if "failed" in kv:
                failed.append("%s/%s: %s" % (kv["consumer"], kv["allocator"], kv["failed"]))
            else:
                runs[(kv["consumer"], kv["allocator"])] = kv
        elif "kernel" in kv:
            head = kv
    return head, runs, failed


def num(kv, key):
    try:
        return float(kv[key])
    except (KeyError, ValueError):
        return float("nan")


def density(kv, state):
    """compressed bytes / pool bytes in a state ("" for the filled one)."""
    pre = state + "_" if state else ""
    pool = num(kv, pre + "pool" if state else "pool_bytes")
    compr = num(kv, pre + "compr" if state else "compressed_bytes")
    return compr / pool if pool > 0 else float("nan")


def states_table(runs):
    """The states after the fill, one line per run that has them."""
    have = [k for k in RUNS if k in runs and "idle_pool" in runs[k]]
    if not have:
        return
    idle = runs[have[0]].get("idle_s", "?")
    print()
    print("After a random half of the pages is freed: density right after,"
          " after %s s idle with free memory, after every shrinker"
          " (drop_caches=2); pool pages in each; the CPU share background"
          " compaction took in the idle window" % idle)
    print("%-22s %7s %7s %7s %8s %8s %8s %7s" %
          ("consumer/allocator", "freed", "idle", "shrunk", "pool",
           "idle", "shrunk", "bg_cpu"))
    for key in have:
        kv = runs[key]
        secs = num(kv, "idle_s")
        share = num(kv, "idle_bg_ns") / (secs * 1e9) * 100 if secs > 0 else float("nan")
        print("%-22s %7.3f %7.3f %7.3f %8d %8d %8d %6.2f%%" %
              (LABEL[key], density(kv, "half"), density(kv, "idle"),
               density(kv, "shrunk"), num(kv, "half_pool") / 4096,
               num(kv, "idle_pool") / 4096, num(kv, "shrunk_pool") / 4096,
               share))


def write_dat(outdir, name, header, fmt, rows):
    """The plot's data file OUTDIR/NAME.dat, one FMT line per row; its
    path."""
    os.makedirs(outdir, exist_ok=True)
    dat = os.path.join(outdir, name + ".dat")
    with open(dat, "w") as f:
        f.write("# %s\n" % header)
        for r in rows:
            f.write(fmt % r + "\n")
    return dat


# What both panels of every plot share: two histograms side by side.
PREAMBLE = """set termoption noenhanced
set multiplot layout 1,2 title "%s" font ",11"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
"""


def render(outdir, name, title, plot):
    """TITLE and PLOT (a gnuplot script of two panels, without terminal)
    to OUTDIR/NAME.svg and .png; returns the problems met."""
    problems = []
    plot = PREAMBLE % title.replace('"', "'") + plot
    for term, ext in (('svg size 1200,520 dynamic font "sans,10"', "svg"),
                      ('png size 1200,520 font "sans,10"', "png")):
        out = os.path.join(outdir, name + "." + ext)
        script = 'set terminal %s\nset output "%s"\n' % (term, out) + plot
        r = subprocess.run(["gnuplot"], input=script, text=True,
                           capture_output=True)
        if r.returncode != 0:
            problems.append("gnuplot (%s): %s" % (ext, r.stderr.strip()[:200]))
        else:
            print("plot: %s" % out)
    return problems


def verdict(name, problems, ok):
    """Print each problem and NAME's count line; the exit status."""
    for p in problems:
        print("%s: problem: %s" % (name, p))
    print("%s: %d passed, %d failed" % (name, 1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


def main():
    log, outdir, command = sys.argv[1], sys.argv[2], sys.argv[3]
    head, runs, failed = parse(log)
    mib = int(head.get("mib", 0) or 0)
    print("End-to-end: the same %d MiB (zload, seed %s) through each consumer"
          " and allocator, one boot, Linux %s" %
          (mib, head.get("seed", "?"), head.get("kernel", "?")))
    print("%-22s %8s %8s %7s %8s %8s %8s %8s %7s %7s %4s" %
          ("consumer/allocator", "stored", "pool", "density", "swpout",
           "swpin", "zswpout", "zswpin", "out_s", "in_s", "bad"))
    rows = []
    problems = list(failed)
    for key in RUNS:
        kv = runs.get(key)
        if kv is None:
            problems.append("%s/%s: no result" % key)
            continue
        pool = num(kv, "pool_bytes")
        filled = density(kv, "")
        out_s, in_s = num(kv, "reclaim_s"), num(kv, "readback_s")
        print("%-22s %8s %8d %7.3f %8s %8s %8s %8s %7.2f %7.2f %4s" %
              (LABEL[key], kv["stored_pages"], pool / 4096, filled,
               kv["pswpout"], kv["pswpin"], kv["zswpout"], kv["zswpin"],
               out_s, in_s, kv["bad_pages"]))
        if kv["mm_stat"] != "-":
            print("%-22s mm_stat %s" % ("", kv["mm_stat"].replace(",", " ")))
        if kv["bad_pages"] != "0":
            problems.append("%s/%s: bad_pages=%s" % (key + (kv["bad_pages"],)))
        # After the states, only the pages zload kept come back from swap.
        back = mib - num(kv, "freed") * 4096 / 2**20 if "freed" in kv else mib
        rows.append((LABEL[key], filled, pool / 4096,
                     mib / out_s if out_s > 0 else 0,
                     back / in_s if in_s > 0 else 0,
                     density(kv, "half"), density(kv, "idle"),
                     density(kv, "shrunk")))
    states_table(runs)

    dat = write_dat(outdir, "e2e", "label density pool_pages out_mib_s"
                    " in_mib_s half_density idle_density shrunk_density",
                    '"%s" %.4f %d %.2f %.2f %.4f %.4f %.4f', rows)
    title = ("zheap end to end: %d MiB (seed %s), Linux %s; made by: %s" %
             (mib, head.get("seed", "?"), head.get("kernel", "?"), command))
    plot = """
set xtics rotate by 30 right font ",9" nomirror
set grid ytics
set key top right horizontal font ",8"
set title "Density: compressed bytes / pool bytes (1.0 is ideal)"
set yrange [0:1.25]
plot "{dat}" using 2:xtic(1) title "filled" linecolor rgb "#3b75af", \\
     "" using 6 title "half freed" linecolor rgb "#b0b0b0", \\
     "" using 7 title "then idle" linecolor rgb "#4c9a4c", \\
     "" using 8 title "then shrinkers" linecolor rgb "#d9822b"
set title "Speed: MiB/s swapped out (reclaim) and read back"
set key top right horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
plot "{dat}" using 4:xtic(1) title "out" linecolor rgb "#d9822b", \\
     "" using 5 title "back in" linecolor rgb "#4c9a4c"
unset multiplot
"""
    problems += render(outdir, "e2e", title, plot.format(dat=dat))
    return verdict("e2e", problems, not problems and len(rows) == len(RUNS))


if __name__ == "__main__":
    sys.exit(main())
