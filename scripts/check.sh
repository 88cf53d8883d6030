#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test venue of zheap, one after the other.
#
#   harness      the counters themselves: crafted logs that must fail
#                (scripts/harness_test.py) are counted as failures
#   lint         W=1 + sparse build, checkpatch --strict, kernel-doc, coccicheck
#   package      the Debian DKMS package: built, lintian-clean, built
#                through DKMS into a private tree and resolved there by
#                modprobe; make install into a private root
#   dkms         the QEMU guest on the modules DKMS built there, loaded
#                by Debian's modprobe (kmod) through depmod's index:
#                by alias, by the kernel's request_module(), zswap and
#                zram on them, modprobe -r
#   kunit-plain  the KUnit suites on UML
#   kunit-debug  the same on UML with KASAN, PROVE_LOCKING, DEBUG_VM,
#                DEBUG_LIST, DEBUG_KMEMLEAK, FAILSLAB and FAIL_PAGE_ALLOC
#   qemu         the scenarios on Debian's 6.12 kernel with zswap
#   race         everything at once for 60 s on 2 vCPUs: zswap and zram
#                workers against compaction, shrinkers, CPU hotplug,
#                swapoff and a backend's unload (tests/qemu/race.sh)
#   race-debug   the same for 150 s on the debug guest kernel (KASAN,
#                lockdep, DEBUG_VM, DEBUG_LIST, DEBUG_PAGEALLOC, KFENCE,
#                SLUB debugging), where any report fails
#   bench        the allocator benchmark runs to the end and every object
#                reads back intact (its figures are printed, not asserted)
#   e2e          the end-to-end benchmark: every page through zswap and
#                zram on every allocator reads back intact
#   limit        zswap at its own pool limit on the kernel's zsmalloc and
#                zheap's, a fill larger than the guest then a churn of
#                stores and frees: every page reads back intact (one
#                churn round; make bench runs two on all four
#                allocators, and its figures)
#
# Each venue prints "<venue>: N passed, N failed"; a venue that prints no
# such line (it could not run) counts as one failure, and so does one
# that exits non-zero while its line counts no failure.  The last line is the
# sum, alone: "N passed, N failed".  Exit status is non-zero on any failure.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"
logs="$ZHEAP_CACHE/check"
mkdir -p "$logs"

total_pass=0
total_fail=0

. "$here/scripts/venue.sh"

start=$(date +%s)
# The debug guest kernel that race-debug boots takes the longest cold
# build of make check (CI's cold runs: about 20 minutes of both cores).
# It starts here at the lowest priority, so that it uses what the venues
# leave idle: UML's suites and most QEMU guests keep one core busy, not
# two, and e2e and limit wait out idle windows.  race-debug runs
# guest_kernel.sh itself as before: that run takes the build's lock and
# waits for this one, or finds the stamp matching and builds nothing.
# This run's exit status counts for nothing: if it failed, race-debug's
# run of the same script fails again, in its own venue, and says why.
# Its log: $logs/guest-kernel.log.
setsid nice -n 19 bash "$here/scripts/guest_kernel.sh" >"$logs/guest-kernel.log" 2>&1 &
prebuild=$!
trap 'kill -- -$prebuild 2>/dev/null' EXIT
venue harness python3 "$here/scripts/harness_test.py"
venue lint bash "$here/scripts/lint.sh"
venue package bash "$here/scripts/package.sh"
# The guest on exactly the modules the package's DKMS build made,
# loaded by Debian's modprobe by name and alias (scripts/qemu.sh dkms).
ZHEAP_QEMU_LABEL=dkms venue dkms bash "$here/scripts/qemu.sh" dkms
venue kunit-plain bash "$here/scripts/kunit.sh" plain
venue kunit-debug bash "$here/scripts/kunit.sh" debug
venue qemu bash "$here/scripts/qemu.sh" test
ZHEAP_QEMU_LABEL=race venue race bash "$here/scripts/qemu.sh" race
# The same on the debug guest kernel (scripts/guest_kernel.sh builds it
# into the cache first): the kernel's own zswap, zram, compaction,
# migration, shrinker, hotplug, swapoff and module paths under KASAN,
# lockdep, DEBUG_VM, DEBUG_LIST, DEBUG_PAGEALLOC, KFENCE and SLUB debugging.
ZHEAP_GUEST=debug ZHEAP_QEMU_LABEL=race-debug \
	venue race-debug bash "$here/scripts/qemu.sh" race
# A short run: make check wants the bench to work, not its figures (those
# come from make bench, in Documentation/measurements.rst).
ZHEAP_BENCH_ARGS="objects=20000 ops=20000 rounds=1" \
	venue bench bash "$here/scripts/qemu.sh" bench
# The end-to-end run: every page through zswap and zram on every
# allocator reads back intact; its plot goes to the cache, not the tree.
ZHEAP_PLOT_DIR="$logs/e2e" venue e2e bash "$here/scripts/qemu.sh" e2e
# make check's limit runs the kernel's zsmalloc and zheap's, the pair
# the floors compare; make bench runs all four allocators.
ZHEAP_LIMIT_ROUNDS=1 ZHEAP_LIMIT_ALLOCS=zsmalloc,zheap_zsmalloc \
	ZHEAP_PLOT_DIR="$logs/limit" venue limit bash "$here/scripts/qemu.sh" limit
echo "check: done in $(($(date +%s) - start)) s"

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
