#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The bad-harness test: make check's counters must count a failure.

usage: harness_test.py

Feeds crafted logs to the real counters, as make check runs them:
kunit_count.py (a KUnit log on UML), qemu_count.py (a QEMU guest's serial
log) and the venue() function of check.sh (scripts/venue.sh).  Each log
is built in the format the real venue prints, with one defect in it (a
failed or skipped case, a missing suite, an undeclared or out-of-scope
WARN, an invariant WARN, a kernel report, a build warning in zheap's
sources, a guest that never printed ZT: DONE, ...), and the check is that
the counter reports it as a failure and exits non-zero.  Clean logs, with
the noise a cold build and a TCG guest really print, must pass: a counter
that fails everything is as useless as one that passes everything.

Prints "harness: PASS|FAIL <case>" lines and "harness: N passed, N failed".
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import kunit_count  # noqa: E402

SRC = os.environ.get("ZHEAP_SRC", "")

# ---- KUnit logs -----------------------------------------------------------

# What a cold UML build prints before the kernel runs: the kernel's own
# warnings, under a cache whose path contains "zheap".
COLD_BUILD = [
    "%s/lib/iomap.c:280:6: warning: no previous prototype for "
    "'iowrite64be_lo_hi' [-Wmissing-prototypes]" % path for path in
    (SRC, "/var/cache/zheap/src/linux-source-6.12", "/tmp/zheap-ci/src")
] + ["  280 | void iowrite64be_lo_hi(u64 val, void __iomem *addr)"]
BOOT_WARN = [
    "------------[ cut here ]------------",
    "WARNING: CPU: 0 PID: 1 at arch/um/drivers/virt-pci.c:1005 0x60006890",
    "No virtio device ID configured for PCI - no PCI support",
    "CPU: 0 UID: 0 PID: 1 Comm: swapper Not tainted 6.12.117 #1",
    "Stack:",
    " 00000000 ca883be0 603c925d 603025a2",
    "Call Trace:",
    " [<60320e1c>] ? dump_stack_lvl+0x74/0x84",
    "---[ end trace 0000000000000000 ]---",
]


def uml_warn(where, func, message=None):
    """A WARN as UML prints it (warn_slowpath_fmt(): message after)."""
    lines = ["------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 43 at %s %s+0x9c/0xb0" % (where, func)]
    if message:
        lines.append(message)
    return lines + [
        "CPU: 0 UID: 0 PID: 43 Comm: kunit_try_catch Tainted: G W N 6.12.117 #1",
        "Tainted: [W]=WARN, [N]=TEST",
        "Stack:",
        " 00000000 ca883be0 603c925d 603025a2",
        "Call Trace:",
        " [<6013247c>] ? %s+0x9c/0xb0" % func,
        " [<60132ca7>] ? zheap_free+0x57/0x1b0",
        "---[ end trace 0000000000000000 ]---",
    ]


NOT_LIVE = uml_warn("mm/zheap/zpool/pool.c:220", "bad_handle",
                    "zheap: free: pool kunit-pool: handle 0x202 is not live")
INVARIANT = uml_warn("mm/zheap/core/object.c:150", "zheap_object_unlock")


def kunit_log(suites=None, status=None, inside=None, after=None):
    """A raw kunit.py log: every suite with two cases.  @status maps
    "suite.case" to "not ok" or "ok ... # SKIP"; @inside and @after map
    "suite.case" to lines printed while that case runs or after its
    result line."""
    status, inside, after = status or {}, inside or {}, after or {}
    out = list(COLD_BUILD) + ["Linux version 6.12.117"] + BOOT_WARN
    out += ["KTAP version 1", "1..%d" % len(kunit_count.SUITES)]
    for n, suite in enumerate(suites or kunit_count.SUITES, 1):
        out += ["    KTAP version 1", "    # Subtest: %s" % suite,
                "    # module: zheap_kunit", "    1..2"]
        for i, case in enumerate(("first", "second"), 1):
            key = "%s.%s" % (suite, case)
            name = "%s_test_%s" % (suite, case)
            out += inside.get(key, [])
            st = status.get(key, "ok")
            if st == "skip":
                out.append("    ok %d %s # SKIP crafted" % (i, name))
            else:
                out.append("    %s %d %s" % (st, i, name))
            out += after.get(key, [])
        out += ["ok %d %s" % (n, suite)]
    return out + ["reboot: System halted"]


def expect(case, text):
    return "    # %s: zheap-expect-warn: %s" % (case, text)


POOL = "zheap_pool.first"
POOL_CASE = "zheap_pool_test_first"

KUNIT_CASES = [
    # (name, log, must it pass?)
    ("kunit: a clean log after a cold build passes", kunit_log(), True),
    ("kunit: a declared WARN inside its case passes",
     kunit_log(inside={POOL: [expect(POOL_CASE, "is not live")] + NOT_LIVE}),
     True),
    ("kunit: a failed case fails", kunit_log(status={POOL: "not ok"}), False),
    ("kunit: a skipped case fails", kunit_log(status={POOL: "skip"}), False),
    ("kunit: a missing suite fails",
     kunit_log(suites=kunit_count.SUITES[:-1]), False),
    ("kunit: an empty log fails", [], False),
    ("kunit: an undeclared WARN from zheap fails",
     kunit_log(inside={POOL: NOT_LIVE}), False),
    ("kunit: an invariant WARN (no message) fails despite a declaration",
     kunit_log(inside={POOL: [expect(POOL_CASE, "is not live")] + INVARIANT}),
     False),
    ("kunit: a declared WARN after its case ended fails",
     kunit_log(inside={POOL: [expect(POOL_CASE, "is not live")]},
               after={POOL: NOT_LIVE}), False),
    ("kunit: a declaration does not carry into the next case",
     kunit_log(inside={POOL: [expect(POOL_CASE, "is not live")],
                       "zheap_pool.second": NOT_LIVE}), False),
    ("kunit: a declaration admits one WARN, not two",
     kunit_log(inside={POOL: [expect(POOL_CASE, "is not live")] +
                       NOT_LIVE + NOT_LIVE}), False),
    ("kunit: a WARN whose message is not the declared one fails",
     kunit_log(inside={POOL: [expect(POOL_CASE, "destroyed with")] +
                       NOT_LIVE}), False),
    ("kunit: a WARN from the kernel's own code fails",
     kunit_log(inside={POOL: uml_warn("mm/page_alloc.c:4600",
                                      "__alloc_pages_noprof")}), False),
    ("kunit: a KASAN report fails",
     kunit_log(inside={POOL: [
         "==================================================================",
         "BUG: KASAN: slab-use-after-free in zheap_free+0x57/0x1b0"]}),
     False),
    ("kunit: a lockdep report fails",
     kunit_log(inside={POOL: [
         "WARNING: possible circular locking dependency detected"]}), False),
    ("kunit: a compiler warning in zheap's sources fails",
     ["%s/mm/zheap/zpool/pool.c:12:5: warning: no previous prototype "
      "for 'x' [-Wmissing-prototypes]" % SRC] + kunit_log(), False),
    ("kunit: a compiler warning in the project tree fails",
     ["%s/zpool/pool.c:12:5: warning: unused variable 'x' "
      "[-Wunused-variable]" % TOP] + kunit_log(), False),
]


def run_kunit_count(lines, tmp):
    path = os.path.join(tmp, "kunit.log")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([sys.executable, os.path.join(HERE, "kunit_count.py"),
                        "harness", path], capture_output=True, text=True)
    return p.returncode, p.stdout


# ---- QEMU logs ------------------------------------------------------------

def x86_warn(where, func, message=None):
    """A WARN as Debian's x86 kernel prints it (message first)."""
    lines = ["[   12.345000] ------------[ cut here ]------------"]
    if message:
        lines.append("[   12.345001] " + message)
    return lines + [
        "[   12.345002] WARNING: CPU: 1 PID: 123 at %s %s+0x1f/0x40 [zheap]"
        % (where, func),
        "[   12.345003] Modules linked in: zheap_zsmalloc(O) zheap(O)",
        "[   12.345004] CPU: 1 UID: 0 PID: 123 Comm: zload Tainted: G O "
        "6.12.117+deb12-amd64 #1  Debian 6.12.117-1~deb12u1",
        "[   12.345005] RIP: 0010:%s+0x1f/0x40 [zheap]" % func,
        "[   12.345006] Call Trace:",
        "[   12.345007]  <TASK>",
        "[   12.345008]  ? __warn+0x89/0x130",
        "[   12.345009] ---[ end trace 0000000000000000 ]---",
    ]


TCG_DB = x86_warn("arch/x86/kernel/traps.c:1101", "exc_debug_kernel")


def qemu_log(results=("zswap_zsmalloc PASS", "kernel_log_clean PASS"),
             klog=(), klog_end=True, done=True, extra=()):
    out = ["Linux version 6.12.117+deb12-amd64", "ZT: loading zheap"]
    out += ["ZT: RESULT %s ok" % r for r in results] + list(extra)
    out += ["ZT: KLOG [    0.000000] Linux version 6.12.117+deb12-amd64"]
    out += ["ZT: KLOG " + line for line in list(TCG_DB) + list(klog)]
    if klog_end:
        out.append("ZT: KLOG-END")
    if done:
        out.append("ZT: DONE")
    return out


# What the debug guest kernel (ZHEAP_GUEST=debug scripts/qemu.sh) prints
# at every boot about its checks, none of it a report.
DEBUG_KERNEL_BOOT = [
    "[    0.202823] kasan: KernelAddressSanitizer initialized",
    "[    0.257269] mem auto-init: stack:all(zero), heap alloc:off, "
    "heap free:off",
    "[    0.257506] stackdepot hash table entries: 1048576 (order: 12, "
    "16777216 bytes, linear)",
    "[    0.404564] **   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
    "[    0.404589] ** This system shows unhashed kernel memory addresses   **",
    "[    0.417578] SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1",
    "[    0.469792] Running RCU self tests",
    "[    0.471932] rcu: \tRCU lockdep checking is enabled.",
    "[    0.591612] kfence: initialized - using 2097152 bytes for 255 objects "
    "at 0xffff888010400000-0xffff888010600000",
    "[    0.617116] Lock dependency validator: Copyright (c) 2006 Red Hat, "
    "Inc., Ingo Molnar",
    "[    0.617381] ... MAX_LOCKDEP_ENTRIES:     32768",
    "[    0.617499]  memory used by lock dependency info: 6429 kB",
]

# The debug guest kernel's reports (ZHEAP_GUEST=debug scripts/qemu.sh),
# the first lines of each as 6.12 prints them.  Each must fail a test
# log that is otherwise clean.
SEP = "[   20.000000] ======================================================"
DEBUG_KERNEL_REPORTS = [
    ("a lockdep circular dependency", [
        SEP, "[   20.000001] WARNING: possible circular locking dependency "
        "detected", "[   20.000002] 6.12.117-zheap-debug #1 Not tainted",
        "[   20.000003] zload/123 is trying to acquire lock:"]),
    ("a lockdep recursive locking", [
        SEP, "[   20.000001] WARNING: possible recursive locking detected"]),
    ("a lockdep inconsistent lock state", [
        SEP, "[   20.000001] WARNING: inconsistent lock state",
        "[   20.000002] inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage."]),
    ("a lockdep irq-safe to irq-unsafe order", [
        SEP, "[   20.000001] WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock "
        "order detected"]),
    ("a lockdep nested lock not taken", [
        SEP, "[   20.000001] WARNING: Nested lock was not taken"]),
    ("a suspicious RCU usage", [
        "[   20.000001] =============================",
        "[   20.000002] WARNING: suspicious RCU usage",
        "[   20.000003] include/linux/rcupdate.h:409 Illegal context switch "
        "in RCU read-side critical section!"]),
    ("a DEBUG_VM page dump", [
        "[   20.000001] page: refcount:0 mapcount:0 mapping:0000000000000000 "
        "index:0x0 pfn:0x4a3c",
        "[   20.000002] page dumped because: VM_BUG_ON_PAGE(page_ref_count"
        "(page) == 0)"]),
    ("a VM_BUG_ON's kernel BUG", [
        "[   20.000001] kernel BUG at include/linux/mm.h:1500!"]),
    ("a list_add corruption", [
        "[   20.000001] list_add corruption. next->prev should be prev "
        "(ffff888004a3c000), but was 0000000000000000. "
        "(next=ffff888004a3c010)."]),
    ("a list_add double add", [
        "[   20.000001] list_add double add: new=ffff888004a3c000, "
        "prev=ffff888004a3c000, next=ffff888004a3c010."]),
    ("a list_del corruption", [
        "[   20.000001] list_del corruption, ffff888004a3c000->next is "
        "LIST_POISON1 (dead000000000100)"]),
    ("a KFENCE report", [
        "[   20.000001] BUG: KFENCE: use-after-free read in "
        "zheap_read_object+0x5e/0x120 [zheap]"]),
    ("a SLUB poison overwritten", [
        "[   20.000001] [Poison overwritten] 0xffff888004a3c010-"
        "0xffff888004a3c013 @offset=16. First byte 0x0 instead of 0x6b"]),
    ("a SLUB object padding overwritten", [
        "[   20.000001] [Object padding overwritten] 0xffff888004a3c0f8-"
        "0xffff888004a3c0ff @offset=248. First byte 0x0 instead of 0x5a"]),
    ("a SLUB report on a kmalloc cache", [
        "[   20.000001] ============================================="
        "================================",
        "[   20.000002] BUG kmalloc-64 (Tainted: G           O      ): "
        "Object corrupt"]),
    ("a SLUB cache destroyed with objects", [
        "[   20.000002] BUG zheap_handles (Tainted: G           O      ): "
        "Objects remaining on __kmem_cache_shutdown()"]),
    ("a SLUB repair", [
        "[   20.000001] FIX kmalloc-64: Restoring Poison 0xffff888004a3c010-"
        "0xffff888004a3c013=0x6b"]),
    ("a DEBUG_PAGEALLOC fault", [
        "[   20.000001] BUG: unable to handle page fault for address: "
        "ffff888004a3c000",
        "[   20.000002] #PF: supervisor read access in kernel mode",
        "[   20.000003] #PF: error_code(0x0000) - not-present page"]),
    ("a page poisoning report", [
        "[   20.000001] pagealloc: memory corruption"]),
    ("a hung task", [
        "[   50.000001] INFO: task zstress:211 blocked for more than 30 "
        "seconds.",
        "[   50.000002]       Not tainted 6.12.117-zheap-debug #1"]),
    ("a workqueue lockup", [
        "[   50.000001] BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 "
        "nice=0 stuck for 31s!"]),
    ("a KASAN wild access", [
        "[   20.000001] KASAN: maybe wild-memory-access in range "
        "[0x0003888004a3c000-0x0003888004a3c007]"]),
]

BENCH_DONE = ["ZT: BENCH zsmalloc: objects 20000 bad 0",
              "ZT: BENCH zheap_bench: done"]

QEMU_CASES = [
    ("qemu: a clean test log passes", "test", qemu_log(), True),
    ("qemu: a guest without ZT: DONE fails", "test", qemu_log(done=False),
     False),
    ("qemu: a failed scenario fails", "test",
     qemu_log(results=("zswap_zsmalloc FAIL", "kernel_log_clean PASS")),
     False),
    ("qemu: a log with no scenario fails", "test", qemu_log(results=()),
     False),
    ("qemu: a WARN from zheap in the guest's kernel log fails", "test",
     qemu_log(klog=x86_warn(TOP + "/core/object.c:150",
                            "zheap_object_unlock")), False),
    ("qemu: a KASAN report in the guest's kernel log fails", "test",
     qemu_log(klog=["[   13.1] BUG: KASAN: use-after-free in zs_free"]),
     False),
    ("qemu: a kernel log cut short fails", "test", qemu_log(klog_end=False),
     False),
    ("qemu: a clean bench passes", "bench", qemu_log(extra=BENCH_DONE), True),
    ("qemu: a bench that did not finish fails", "bench",
     qemu_log(extra=BENCH_DONE[:1]), False),
    ("qemu: a bench with a bad object fails", "bench",
     qemu_log(extra=["ZT: BENCH zbud: objects 20000 bad 3"] + BENCH_DONE),
     False),
    ("qemu: a bench whose guest died fails", "bench",
     qemu_log(extra=BENCH_DONE, done=False), False),
    ("qemu: an e2e run with a WARN in the kernel log fails", "e2e",
     qemu_log(klog=x86_warn("mm/page_alloc.c:4600", "__alloc_pages")),
     False),
    ("qemu: a clean main job passes", "run", qemu_log(), True),
    ("qemu: a main job without ZT: DONE fails", "run", qemu_log(done=False),
     False),
    ("qemu: a clean boot of the debug guest kernel passes", "kdebug",
     qemu_log(klog=DEBUG_KERNEL_BOOT), True),
] + [("qemu: %s in the debug guest's kernel log fails" % what, "kdebug",
      qemu_log(klog=DEBUG_KERNEL_BOOT + report), False)
     for what, report in DEBUG_KERNEL_REPORTS]


def run_qemu_count(mode, lines, tmp):
    path = os.path.join(tmp, "qemu.log")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([sys.executable, os.path.join(HERE, "qemu_count.py"),
                        mode, path], capture_output=True, text=True)
    return p.returncode, p.stdout


# ---- check.sh's venue() ---------------------------------------------------

VENUE_CASES = [
    # (name, the venue's shell command, its passed and failed as counted)
    ("venue: a clean venue counts its passes",
     "echo 'v: 3 passed, 0 failed'", (3, 0)),
    ("venue: failures are added",
     "echo 'v: 3 passed, 2 failed'; exit 1", (3, 2)),
    ("venue: no result line is one failure", "echo crashed; exit 1", (0, 1)),
    ("venue: no result line fails even with exit status 0", "true", (0, 1)),
    ("venue: a non-zero exit with 0 failed is one failure",
     "echo 'v: 3 passed, 0 failed'; exit 2", (3, 1)),
    ("venue: only its own last line counts",
     "echo 'v: 9 passed, 0 failed'; echo 'other: 5 passed, 0 failed';"
     " echo 'v: 1 passed, 1 failed'; exit 1", (1, 1)),
]


def run_venue(command, tmp):
    script = ('logs=%s; total_pass=0; total_fail=0; . %s/venue.sh; '
              'venue v bash -c "$1" >/dev/null; '
              'echo "$total_pass $total_fail"' % (tmp, HERE))
    p = subprocess.run(["bash", "-c", script, "venue", command],
                       capture_output=True, text=True)
    m = re.search(r"(\d+) (\d+)\s*$", p.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    passed = failed = 0

    def report(name, ok, why=""):
        nonlocal passed, failed
        print("harness: %s %s%s" % ("PASS" if ok else "FAIL", name,
                                    (": " + why) if why and not ok else ""))
        if ok:
            passed += 1
        else:
            failed += 1

    if not os.path.isfile(os.path.join(SRC, "tools/testing/kunit/kunit.py")):
        print("harness: no kernel source at %r (run scripts/setup.sh)" % SRC)
        print("harness: 0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for name, lines, clean in KUNIT_CASES:
            rc, out = run_kunit_count(lines, tmp)
            m = re.search(r"kunit-harness: (\d+) passed, (\d+) failed", out)
            if not m:
                report(name, False, "no count line")
                continue
            f = int(m.group(2))
            ok = (rc == 0 and f == 0) if clean else (rc != 0 and f > 0)
            report(name, ok, "exit %d, %s" % (rc, m.group(0)))
        for name, mode, lines, clean in QEMU_CASES:
            rc, out = run_qemu_count(mode, lines, tmp)
            m = re.search(r"(\d+) passed, (\d+) failed", out)
            if m and mode not in ("run", "e2e"):
                f = int(m.group(2))
                ok = (rc == 0 and f == 0) if clean else (rc != 0 and f > 0)
            elif mode in ("run", "e2e"):
                ok = (rc == 0) if clean else (rc != 0)
            else:
                ok = False
            report(name, ok, "exit %d: %s" % (rc, out.strip()[-200:]))
        for name, command, want in VENUE_CASES:
            got = run_venue(command, tmp)
            report(name, got == want, "counted %s, want %s" % (got, want))
    print("harness: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
