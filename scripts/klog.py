# SPDX-License-Identifier: GPL-2.0
"""Judge a kernel log: the one rule for every venue that boots a kernel.

Imported by kunit_count.py (UML logs) and qemu_count.py (the QEMU guest's
dmesg); scripts/harness_test.py feeds both crafted logs that must fail.

    problems = judge(lines, src=..., here=..., scoped=True)

A problem is a string; a log is clean when the list is empty.  The rules:

- A one-line report (KASAN, KFENCE, BUG:, lockdep, RCU, list corruption,
  kmemleak, UBSAN, panic, GPF) is always a problem.
- A WARN report (from "cut here" to "end trace") is a problem unless it is
  a known artefact of the test machine (ALLOWED: not raised by zheap), or
  it is raised from zheap's own sources (zheap_source()) while the KUnit
  case that provokes it on purpose is running and has declared it
  (scoped=True): the case prints "zheap-expect-warn: <text>" with
  zheap_test_expect_warn(), and the WARN's message contains <text>.  A
  declaration admits one WARN and ends with the case (or parameter) that
  made it.  A WARN with no message (an invariant's WARN_ON_ONCE()) can
  never be admitted.
- A compiler warning or error in zheap's own sources is a problem, a
  warning in the kernel's own files is not (a cold build prints some).
"""
import os
import re

CUT = re.compile(r"-+\[ cut here \]-+")
END = re.compile(r"---\[ end trace [0-9a-f]+ \]---")
WARNING = re.compile(r"WARNING: CPU: \d+ PID: \d+ at (?:(\S+):(\d+) )?(\S+)")
# What follows a WARN's message: the dump of the machine state.
DUMP = re.compile(r"(CPU: \d+ |Modules linked in:|Hardware name:|Stack:|"
                  r"Call Trace:|RIP:|Tainted:)")
ONE_LINE = [
    r"BUG: KASAN",
    r"BUG: KFENCE",
    r"BUG: ",
    r"WARNING: possible",
    r"WARNING: inconsistent lock state",
    r"WARNING: suspicious RCU usage",
    r"WARNING: lock held when returning",
    r"WARNING: bad unlock balance",
    r"WARNING: held lock freed",
    r"INFO: possible",
    r"INFO: task \S+ blocked for more than \d+ seconds",  # hung task
    r"list_add corruption",
    r"list_del corruption",
    r"kmemleak: .* new suspected memory leaks",
    r"UBSAN:",
    r"Kernel panic",
    r"general protection fault",
    r"Oops",
    r"soft lockup",
    r"rcu_.*detected stalls",
]
# Known WARNs that are not zheap's, by file and function prefix or a piece
# of the message (None: any):
# - kunit.py's UML config enables PCI-over-virtio without a device id, and
#   6.12's um_pci_init() warns about that at every boot, before any test
#   (an __init function: the debug build names it by address only);
# - TCG now and then leaks a single-step #DB into the guest kernel, which
#   6.12 reports from exc_debug_kernel() (its comment names QEMU).
ALLOWED = [
    ("arch/um/drivers/virt-pci.c", None, "No virtio device ID configured"),
    ("arch/x86/kernel/traps.c", "exc_debug_kernel", None),
]
EXPECT = re.compile(r"# \S+: zheap-expect-warn: (.+?)\s*$")
KTAP_RESULT = re.compile(r"^\s*(not )?ok \d+ ")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
DIAG = re.compile(r"^(\S+?):\d+:\d+: (warning|error): ")


def zheap_source(path, src, here):
    """True when @path names one of zheap's files: under the project tree
    (@here, as out-of-tree builds and gcc name them) or under mm/zheap/ of
    the linked source tree @src (as in-tree builds and __FILE__ name them).
    Never decided by a directory's name elsewhere in the path: the cache
    holding @src may itself be called zheap."""
    if not path:
        return False
    for root in (here, src):
        if root and path.startswith(root.rstrip("/") + "/"):
            rel = path[len(root.rstrip("/")) + 1:]
            return root == here or rel.startswith("mm/zheap/")
    if os.path.isabs(path):
        return False
    return os.path.normpath(path).startswith("mm/zheap/")


class Report:
    def __init__(self, start):
        self.start = start      # index of its first line
        self.warning = None     # its "WARNING: CPU: ..." line
        self.at = None          # index of that line
        self.file = None
        self.func = None
        self.message = []
        self.collecting = False

    def describe(self):
        msg = " ".join(self.message).strip()
        return "%s%s" % (self.warning, (" (%s)" % msg) if msg else "")


def strip(line):
    return TIMESTAMP.sub("", line.rstrip("\n"))


def warn_reports(lines):
    """Every WARN report of the log, with its file, function and message.
    The message is printed before the WARNING line on x86 and after it on
    UML (warn_slowpath_fmt()); both are inside the cut-here block."""
    out, cur = [], None
    for i, raw in enumerate(lines):
        line = strip(raw).strip()
        if CUT.search(line):
            if cur:
                out.append(cur)
            cur = Report(i)
            continue
        m = WARNING.search(line)
        if m:
            if cur is None or cur.warning:
                if cur:
                    out.append(cur)
                cur = Report(i)
            cur.warning, cur.at = line, i
            cur.file, cur.func = m.group(1), m.group(3)
            cur.collecting = True
            continue
        if cur is None:
            continue
        if END.search(line) or KTAP_RESULT.match(line) or i - cur.start > 400:
            out.append(cur)
            cur = None
            continue
        if cur.warning is None:
            cur.message.append(line)
        elif cur.collecting:
            if DUMP.match(line):
                cur.collecting = False
            else:
                cur.message.append(line)
    if cur:
        out.append(cur)
    return [r for r in out if r.warning]


def allowed(rep):
    func, text = rep.func or "", " ".join(rep.message)
    return any(rep.file == f and (fn is None or func.startswith(fn)) and
               (msg is None or msg in text) for f, fn, msg in ALLOWED)


def judge(lines, src="", here="", scoped=False):
    lines = [strip(line) for line in lines]
    problems = []
    reports = {r.at: r for r in warn_reports(lines)}
    expected = []
    for i, line in enumerate(lines):
        m = DIAG.match(line)
        if m:
            if zheap_source(m.group(1), src, here):
                problems.append("build: " + line.strip())
            continue
        if scoped:
            m = EXPECT.search(line)
            if m:
                expected.append(m.group(1))
                continue
            if KTAP_RESULT.match(line):
                expected.clear()
                continue
        rep = reports.get(i)
        if rep:
            problems += judge_warn(rep, expected, src, here)
            continue
        if WARNING.search(line):
            continue
        for pat in ONE_LINE:
            if re.search(pat, line):
                problems.append("report: " + line.strip())
                break
    return problems


def judge_warn(rep, expected, src, here):
    if allowed(rep):
        return []
    if zheap_source(rep.file, src, here):
        text = " ".join(rep.message)
        for e in expected:
            if e in text:
                expected.remove(e)
                return []
        return ["unexpected WARNING from zheap: " + rep.describe()]
    return ["WARNING not from zheap: " + rep.describe()]
