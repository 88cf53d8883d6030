#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's 6.12 kernel in QEMU (TCG) with a busybox initramfs that
# loads zheap's modules, and run zswap workloads through them.
#
# Every mode of tests/qemu/init (zt.mode=), one boot each:
#
#   mode    what the guest runs                         make target
#   run     the main job: zheap's default backend       make run
#           under a 400 MiB zswap workload; prints
#           what it stored, how densely, how fast
#   test    the scenarios: zswap on every allocator,    make qemu-test,
#           bad parameters, the stress, writeback and   make check
#           zram runs, unload refused in use;
#           "qemu: N passed, N failed"
#   bench   the allocator benchmark (tools/bench):      make bench,
#           zheap's backends against the kernel's       make check (short)
#           zsmalloc in one boot; its table
#   e2e     the same data through zswap and zram on     make bench,
#           the kernel's allocators and zheap's; a      make check
#           table and a plot (Documentation/e2e.*,
#           or $ZHEAP_PLOT_DIR)
#   limit   zswap at its own pool limit on each         make bench,
#           allocator: a fill larger than the guest,    make check
#           then a churn of stores and frees; density,
#           pages zswap sent to disk, run time
#           (scripts/limit_report.py)
#   exit    the exit of processes whose memory is       make bench
#           swapped out, to zswap and to zram, on the
#           kernel's zsmalloc and zheap's
#           (scripts/exit_report.py)
#   stress  the compaction and writeback stress runs    make stress
#           and the buddyinfo comparison
#   wb      the writeback scenarios alone               (by hand)
#   zram    the zram scenarios alone                    (by hand)
#   zramfs  zram under ext2, writeback to a backing     (by hand)
#           device and the zram selftests
#   buddy   the buddyinfo comparison alone              (by hand)
#   unload  a backend's rmmod racing writes to zswap's  (by hand)
#           zpool parameter alone
#   trace   the tracepoint and sysfs scenarios alone:   (by hand; also
#           each event's count equals its counter's,    in test)
#           sysfs's fields equal debugfs's, read as a
#           user (tests/qemu/trace.sh, sysfs.sh)
#   dkms    the package's modules, as DKMS built them   make check
#           (scripts/package.sh first), loaded by
#           Debian's modprobe by name and alias: zswap
#           and zram on them, and their unload
#   race    everything at once for ZHEAP_RACE_SECS      make stress,
#           (60): zswap and zram workers against        make check
#           compaction, shrinkers, CPU hotplug,
#           swapoff and a backend's unload
#           (tests/qemu/race.sh)
#   kdebug  for the debug guest kernel, the scenarios   (by hand, with
#           that drive the kernel's own paths: zswap    ZHEAP_GUEST=debug)
#           on each zheap backend, zheap's writeback
#           (stress, memcg, shrinker), zram on zheap
#           (data, swap, writeback), compaction and
#           migration racing frees, a backend's unload
#           racing zswap's zpool parameter, unload
#
#   scripts/qemu.sh MODE    (default: test)
#
# ZHEAP_GUEST=debug boots the debug guest kernel instead of Debian's:
# scripts/guest_kernel.sh builds it (once; KASAN, lockdep, DEBUG_VM,
# DEBUG_LIST, DEBUG_PAGEALLOC, KFENCE, SLUB debugging), zheap's modules
# are built against it from a copy of the tree (the .ko files here stay
# Debian's), the kernel's modules come from its own build, and everything
# lives in $ZHEAP_CACHE/qemu-debug, its logs named MODE-debug.log.  The
# guest has 96 MiB more memory, what the kernel's checks take of it
# (KASAN's shadow is an eighth), so the workloads swap as they do on
# Debian's kernel.  Everything runs about eight times slower: the whole
# test mode takes hours there, kdebug is the subset meant for it.
#
# scripts/qemu_count.py judges every mode's serial log: no ZT: DONE, an
# incomplete kernel log dump or any report or WARNING in it fails.
#
# ZHEAP_QEMU_MIB and ZHEAP_QEMU_SEED override the workload's size and seed;
# ZHEAP_QEMU_SMP the guest's CPUs (2).  With one, -icount bench times carry
# no other vCPU's instructions (the stall figure then means nothing).
# ZHEAP_E2E_IDLE=SECONDS sets the e2e mode's idle window after the half of
# the pages is freed (30; 0 skips the states after the fill).
# ZHEAP_LIMIT_ROUNDS sets the limit mode's churn rounds (2), each a quarter
# of the pages freed and written again; ZHEAP_COMPACT_THRESHOLD its
# zheap.compact_threshold (a sweep), ZHEAP_LIMIT_ALLOCS its allocators
# (comma-separated: zbud,zsmalloc,zheap_zbud,zheap_zsmalloc).
# ZHEAP_EXIT_KIDS and ZHEAP_EXIT_REPS set the exit mode's processes (4, of
# ZHEAP_QEMU_MIB MiB each: 24) and repetitions (5); it runs under -icount
# as bench does (ZHEAP_BENCH_WALLCLOCK=1: wall clock).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

mode=${1:-test}
mib=${ZHEAP_QEMU_MIB:-}
seed=${ZHEAP_QEMU_SEED:-1}
guest=${ZHEAP_GUEST:-default}

fail_all() {
	echo "qemu: $*" >&2
	echo "qemu: 0 passed, 1 failed"
	exit 1
}

case "$guest" in
default)
	work="$ZHEAP_CACHE/qemu"
	log="$work/$mode.log"
	kver=$ZHEAP_KVER
	vmlinuz=$ZHEAP_VMLINUZ
	;;
debug)
	work="$ZHEAP_CACHE/qemu-debug"
	log="$work/$mode-debug.log"
	;;
*) fail_all "ZHEAP_GUEST=$guest: not default or debug" ;;
esac

for f in /bin/busybox; do
	[ -e "$f" ] || fail_all "missing $f (run scripts/setup.sh)"
done
command -v qemu-system-x86_64 >/dev/null || fail_all "qemu-system-x86_64 not installed"
mkdir -p "$work"

if [ "$guest" = debug ]; then
	bash "$here/scripts/guest_kernel.sh" || fail_all "cannot build the debug guest kernel"
	kdir="$ZHEAP_CACHE/guest-debug"
	kver=$(cat "$kdir/include/config/kernel.release")
	vmlinuz="$kdir/arch/x86/boot/bzImage"
	moddir="$kdir/mods/lib/modules/$kver"
	# zheap's modules for that kernel, built in a copy of the tree (what
	# git tracks, and new files it does not ignore), so the .ko files
	# here stay Debian's.  Only a file whose bytes differ is copied, and
	# gets the time of the copy: an unchanged file is not rebuilt, and a
	# changed one is even when its own time is older than the copy's
	# object (another checkout, a file brought back from git).  The
	# Makefile copies zram's sources into the copy.
	modsrc="$ZHEAP_CACHE/guest-debug-zheap"
	mkdir -p "$modsrc"
	files=$(git -C "$here" ls-files --cached --others --exclude-standard) ||
		fail_all "$here is not a git checkout: cannot list zheap's sources"
	while read -r f; do
		[ -f "$here/$f" ] || continue
		cmp -s "$here/$f" "$modsrc/$f" && continue
		mkdir -p "$(dirname "$modsrc/$f")" &&
			cp "$here/$f" "$modsrc/$f" ||
			fail_all "cannot copy $f to $modsrc"
	done <<< "$files"
	make -s -C "$modsrc" KDIR="$kdir" modules >"$work/build.log" 2>&1 ||
		{ cat "$work/build.log"; fail_all "module build against $kdir failed"; }
else
	modsrc=$here
	make -s -C "$here" modules >"$work/build.log" 2>&1 ||
		{ cat "$work/build.log"; fail_all "module build failed"; }
fi
[ -e "$vmlinuz" ] || fail_all "missing $vmlinuz (run scripts/setup.sh)"

# kmod PATH: the kernel's module PATH (under kernel/, no .ko) into the
# initramfs's /lib, uncompressed: Debian's .ko.xz, or the debug build's .ko.
kmod() {
	if [ "$guest" = debug ]; then
		cp "$moddir/kernel/$1.ko" "$root/lib/$(basename "$1").ko"
	else
		xz -dc "$ZHEAP_MODDIR/kernel/$1.ko.xz" > "$root/lib/$(basename "$1").ko"
	fi
}

gcc -O2 -static -Wall -o "$work/zload" "$here/tools/zload.c" ||
	fail_all "cannot build tools/zload.c"
gcc -O2 -static -Wall -o "$work/zstress" "$here/tools/zstress.c" ||
	fail_all "cannot build tools/zstress.c"
gcc -O2 -static -Wall -o "$work/zheapstat" "$here/tools/zheapstat.c" ||
	fail_all "cannot build tools/zheapstat.c"

# The initramfs: busybox, our init, zload, our modules and virtio_blk.
root="$work/root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$here/tests/qemu/modprobe" "$root/sbin/modprobe"
cp "$here/tests/qemu/init" "$root/init"
chmod +x "$root/init"
cp "$work/zload" "$root/zload"
cp "$work/zstress" "$root/zstress"
cp "$work/zheapstat" "$root/zheapstat"
cp "$here/tests/qemu/race.sh" "$root/race.sh"
cp "$here/tests/qemu/trace.sh" "$root/trace.sh"
cp "$here/tests/qemu/sysfs.sh" "$root/sysfs.sh"
cp "$modsrc/zheap.ko" "$modsrc/zheap_zbud.ko" "$modsrc/zheap_zsmalloc.ko" \
	"$modsrc/zheap_bench.ko" "$modsrc/zheap_stress.ko" \
	"$modsrc/zheap_wb_stress.ko" "$root/lib/"
[ -f "$modsrc/zheap_zram.ko" ] && cp "$modsrc/zheap_zram.ko" "$root/lib/"
kmod drivers/block/zram/zram || fail_all "no zram module for $kver"
for m in lib/lz4/lz4_compress lib/lz4/lz4hc_compress crypto/lz4; do
	kmod $m || fail_all "no $m module for $kver"
done
if [ "$mode" = bench ]; then
	# Trace a's real data: English text with markup, C source, machine
	# code and a shared library, 32 MiB in all.
	mkdir -p "$root/data"
	find "$ZHEAP_SRC/Documentation" -name '*.rst' | sort | xargs cat 2>/dev/null |
		head -c 12M > "$root/data/docs.rst"
	find "$ZHEAP_SRC/mm" -name '*.c' | sort | xargs cat 2>/dev/null |
		head -c 6M > "$root/data/mm.c"
	head -c 12M "$(command -v qemu-system-x86_64)" > "$root/data/qemu.bin"
	head -c 2M /usr/lib/x86_64-linux-gnu/libc.so.6 > "$root/data/libc.so"
fi
if [ "$mode" = test ] || [ "$mode" = zram ] || [ "$mode" = zramfs ] ||
   [ "$mode" = kdebug ]; then
	# ext2 (ext4's driver) for zram_fs and the zram selftests of
	# linux-source-6.12, unmodified, with shims for what busybox lacks.
	for m in lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4; do
		kmod $m || fail_all "no $m module for $kver"
	done
	mkdir -p "$root/zram-selftests"
	cp "$ZHEAP_SRC"/tools/testing/selftests/zram/*.sh "$root/zram-selftests/" ||
		fail_all "no zram selftests in $ZHEAP_SRC"
	cp "$here"/tests/qemu/shims/* "$root/bin/"
fi
if [ "$mode" = test ] || [ "$mode" = zram ] || [ "$mode" = zramfs ] ||
   [ "$mode" = e2e ] || [ "$mode" = kdebug ]; then
	# The same bytes through Debian's zram and zheap_zram: text, C and
	# machine code, 8 MiB.
	mkdir -p "$root/data"
	{
		find "$ZHEAP_SRC/Documentation" -name '*.rst' | sort | xargs cat 2>/dev/null | head -c 3M
		find "$ZHEAP_SRC/mm" -name '*.c' | sort | xargs cat 2>/dev/null | head -c 2M
		head -c 3M "$(command -v qemu-system-x86_64)"
	} > "$root/data/zram.bin"
fi
if [ "$mode" = dkms ]; then
	# What a user of the package has: zheap's modules as DKMS built and
	# installed them (scripts/package.sh's private tree, with depmod's
	# index of Debian's modules and ours) in /lib/modules, the Debian
	# modules they need beside them, and Debian's own modprobe (kmod and
	# its libraries) in place of the recording stub: modprobe, and the
	# kernel's request_module() through it, find them by name and alias.
	[ "$guest" = default ] || fail_all "mode dkms runs on Debian's kernel"
	pkgmods="$ZHEAP_CACHE/pkg/root/lib/modules/$kver"
	[ -f "$pkgmods/modules.dep" ] ||
		fail_all "no $pkgmods/modules.dep: run scripts/package.sh first"
	gmods="$root/lib/modules/$kver"
	mkdir -p "$gmods"
	cp -r "$pkgmods"/. "$gmods/"
	for dep in $(sed -n 's|^updates/dkms/[^:]*: *||p' "$pkgmods/modules.dep"); do
		case $dep in updates/*) continue ;; esac
		mkdir -p "$gmods/$(dirname "$dep")"
		cp "$ZHEAP_MODDIR/$dep" "$gmods/$dep" || fail_all "no $dep for $kver"
	done
	cp /usr/bin/kmod "$root/sbin/kmod" || fail_all "no /usr/bin/kmod"
	for l in $(ldd /usr/bin/kmod | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }'); do
		mkdir -p "$root$(dirname "$l")" && cp -L "$l" "$root$l" ||
			fail_all "cannot copy $l for kmod"
	done
	for t in modprobe modinfo depmod; do
		ln -sf kmod "$root/sbin/$t"
	done
	cp "$here/VERSION" "$root/VERSION"
fi
kmod drivers/block/virtio_blk || fail_all "no virtio_blk module for $kver"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

rm -f "$work/swap.img" "$work/wb.img"
truncate -s 1G "$work/swap.img"
# The lower tier of the writeback scenarios (/dev/vdb): 4 KiB per object.
truncate -s 64M "$work/wb.img"

mem=256
icount=()
case "$mode" in
run) : "${mib:=400}" ;;
bench)
	: "${mib:=0}"
	mem=1024
	# Guest time advances 1 ns per instruction: throughput is then a
	# count of instructions, the same from run to run, instead of TCG's
	# wall clock, which swings by 20% on a shared machine.
	[ "${ZHEAP_BENCH_WALLCLOCK:-0}" = 1 ] ||
		icount=(-icount shift=0,sleep=off)
	;;
race)
	# zt.secs: how long the workers and racers run (the long form sets
	# ZHEAP_RACE_SECS=1800, and ZHEAP_QEMU_SMP=4).
	# MiB per worker, and the default seconds: the debug kernel's checks
	# make each page cost several times more (at 60 s and 24 MiB its
	# swap workers were still writing their first pass at the end).
	if [ "$guest" = debug ]; then
		: "${mib:=16}"
		race_secs=${ZHEAP_RACE_SECS:-150}
	else
		: "${mib:=64}"
		race_secs=${ZHEAP_RACE_SECS:-60}
	fi
	append_race=" zt.secs=$race_secs"
	;;
e2e)
	# Small enough that zram, whose memory is the guest's own, holds it
	# all in the 256 MiB guest.
	: "${mib:=128}"
	;;
exit)
	: "${mib:=24}"
	# As for bench: guest time is then instructions (those of both
	# vCPUs, which -icount runs in turn), the same from run to run,
	# where wall clock under TCG swung by half between repetitions.
	[ "${ZHEAP_BENCH_WALLCLOCK:-0}" = 1 ] ||
		icount=(-icount shift=0,sleep=off)
	append_limit=" zt.kids=${ZHEAP_EXIT_KIDS:-4} zt.reps=${ZHEAP_EXIT_REPS:-5}"
	;;
limit)
	# More than twice the guest's memory, so reclaim runs throughout
	# and zswap's pool reaches its limit (the issue's 600 MiB state).
	: "${mib:=600}"
	# zs_handle and zspage slabs of their own, so the kernel zsmalloc's
	# metadata can be read off /sys/kernel/slab.
	append_limit=" slab_nomerge zt.rounds=${ZHEAP_LIMIT_ROUNDS:-2}"
	# For a sweep of the background compaction's threshold: its value,
	# and the allocators to run (comma-separated; default all four).
	[ -n "${ZHEAP_COMPACT_THRESHOLD:-}" ] &&
		append_limit+=" zt.threshold=$ZHEAP_COMPACT_THRESHOLD"
	[ -n "${ZHEAP_LIMIT_ALLOCS:-}" ] &&
		append_limit+=" zt.allocs=$ZHEAP_LIMIT_ALLOCS"
	;;
*) : "${mib:=384}" ;;
esac
# A guard against a guest that hangs, not a time limit on the work: the
# test mode takes 10 to 15 minutes on an idle machine and went past 20
# when the same 2 cores also ran other guests and builds.
tmo=$((1200 + ${race_secs:-0}))
[ "$mode" = test ] && tmo=2700
# limit: four 600 MiB fills and their churn took 19 minutes of the 20 on
# a machine that also built a UML kernel.
[ "$mode" = limit ] && tmo=2400
if [ "$guest" = debug ]; then
	# The debug kernel keeps 55 MiB more of the 256 to itself (KASAN's
	# shadow, the stack depot, lockdep's tables: 145 MiB available at
	# boot against Debian's 200), and its slabs grow more per object
	# (red zones, KASAN's quarantine, SLUB's tracking).  With 64 MiB more
	# zram_swap's 200 MiB workload, whose swap is the guest's own memory,
	# was killed by the OOM killer on Debian's zram.ko as on zheap_zram;
	# with 96 more every size here and in tests/qemu/init means what it
	# means in Debian's guest: the workloads swap, and what they swap to
	# fits.
	mem=$((mem + 96))
	# Everything runs about eight times slower under the checks (the
	# main job's 400 MiB: 300 s against 38 s), more on a busy host.
	case "$mode" in
	test) tmo=$((tmo * 9)) ;;
	*) tmo=$((tmo * 4)) ;;
	esac
fi

# 256 MiB of RAM, so a 384-400 MiB workload must swap; zswap in front.
append="console=ttyS0 panic=-1 loglevel=4 zswap.enabled=1"
append+=" zswap.max_pool_percent=50 zt.mode=$mode zt.mib=$mib zt.seed=$seed"
append+=${append_race:-}${append_limit:-}
[ -n "${ZHEAP_BENCH_ARGS:-}" ] && append+=" zt.bench=\"$ZHEAP_BENCH_ARGS\""
[ -n "${ZHEAP_E2E_IDLE:-}" ] && append+=" zt.e2e_idle=$ZHEAP_E2E_IDLE"
# The scenarios' time limits four times longer on the debug kernel (its
# writeback stress got 9,000 of its 10,000 objects out in the usual 60 s).
[ "$guest" = debug ] && append+=" zt.slow=4"
# ZHEAP_QEMU_PLUGIN: a TCG plugin and its arguments for -plugin (profiling
# under TCG, which has no PMU); the guest then also prints its kernel
# text symbols ("ZT: SYM" lines) so the plugin's addresses can be named.
plugin=()
if [ -n "${ZHEAP_QEMU_PLUGIN:-}" ]; then
	plugin=(-plugin "$ZHEAP_QEMU_PLUGIN")
	append+=" zt.kallsyms=1"
fi
# -cx16: twice in this project's runs the guest died of a double fault
# right after SLUB's cmpxchg16b, with EFLAGS holding the low bits of RAX
# (an exception frame TCG built wrong, not the guest's doing; the same
# signature with cmpxchg8b: ClangBuiltLinux/linux#1437).  Without CX16 the
# kernel takes its non-cmpxchg16b paths, the same for every allocator.
timeout $tmo qemu-system-x86_64 -machine q35 -accel tcg -cpu max,-cx16 -smp "${ZHEAP_QEMU_SMP:-2}" -m $mem \
	"${icount[@]}" "${plugin[@]}" \
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "$append" \
	-drive "file=$work/swap.img,if=virtio,format=raw" \
	-drive "file=$work/wb.img,if=virtio,format=raw" \
	-nographic -no-reboot -monitor none -serial stdio </dev/null \
	| stdbuf -oL tr -d '\r' > "$log" 2>&1
qemu_rc=$?

# The main job's summary, from zload's lines: what was stored, how densely,
# how fast.
summarize_run() {
	awk -v kver="$kver" '
	function val(line, key,   m) {
		if (match(line, "(^| )" key "=[^ ]*")) {
			m = substr(line, RSTART, RLENGTH)
			sub(/^ /, "", m)
			return substr(m, length(key) + 2)
		}
		return ""
	}
	/^ZLOAD mib=/ { mib = val($0, "mib"); seed = val($0, "seed"); w = val($0, "write_mib_s") }
	/^ZLOAD stored_pages=/ { stored = val($0, "stored_pages"); pool = val($0, "pool_total_size"); cg = val($0, "cg_zswap") }
	/^ZLOAD zheap_pool=/ { be = val($0, "backend"); hb = val($0, "handle_bytes"); mb = val($0, "backend_meta_bytes"); mpo = val($0, "meta_bytes_per_object") }
	/^ZLOAD verify_s=/ { r = val($0, "verify_mib_s"); bad = val($0, "bad_pages") }
	END {
		printf "zheap main job: zswap on zheap (backend %s), Linux %s, %s MiB workload, seed %s\n", be, kver, mib, seed
		printf "  stored    %d pages in zswap, %.1f MiB compressed (memory.stat zswap)\n", stored, cg / 1048576
		printf "  pool      %d pages, %.1f MiB: %.3f stored pages per pool page\n", pool / 4096, pool / 1048576, stored / (pool / 4096)
		printf "  density   %.3f of ideal (compressed bytes / pool bytes); %.3f counting %d bytes of metadata per object\n", cg / pool, cg / (pool + hb + mb), mpo
		printf "  speed     writing %s MiB/s, reading back %s MiB/s (TCG guest, 2 vCPUs)\n", w, r
		printf "  intact    %s bad pages\n", bad
	}' "$log"
}

count() { ZHEAP_MODSRC=$modsrc python3 "$here/scripts/qemu_count.py" "$@"; }

# The bench asserts nothing about speed or density; it counts as passed
# when it ran to the end, every object read back intact and the kernel
# log is clean (scripts/qemu_count.py).
if [ "$mode" = bench ]; then
	sed -n 's/^ZT: BENCH //p' "$log"
	echo "(full guest log: $log)"
	count bench "$log"
	exit $?
fi

# report TAG SCRIPT ARGS...: the report modes (e2e, limit, exit).  Each
# prints its table (and plot) by SCRIPT, and passes when the guest said
# "ZT: TAG done", SCRIPT found every run and every page intact, and the
# kernel logged no BUG or WARNING meanwhile.
report() {
	local tag=$1 rc
	shift
	echo "(full guest log: $log)"
	grep -q "^ZT: $tag done" "$log" || {
		echo "$mode: guest did not finish (qemu exit $qemu_rc); last lines:"
		tail -n 40 "$log"
	}
	grep -E '^ZT: (RESULT kernel_log_clean|DMESG)' "$log"
	python3 "$@" && grep -q "^ZT: $tag done" "$log" &&
		grep -q '^ZT: RESULT kernel_log_clean PASS' "$log"
	rc=$?
	count "$mode" "$log" || rc=1
	[ $rc -eq 0 ] || echo "$mode: 0 passed, 1 failed"
	exit $rc
}
plots=${ZHEAP_PLOT_DIR:-$here/Documentation}
# e2e: a table, and a plot into Documentation/ (or $ZHEAP_PLOT_DIR).
[ "$mode" = e2e ] &&
	report E2E "$here/scripts/e2e_report.py" "$log" "$plots" "make bench"
# limit: the pool-limit table, its data file and plot.
[ "$mode" = limit ] &&
	report LIMIT "$here/scripts/limit_report.py" "$log" "$plots"
# exit: every repetition and the medians.
[ "$mode" = exit ] && report EXIT "$here/scripts/exit_report.py" "$log"

if [ "$mode" = run ]; then
	grep -E '^(zheap:|ZLOAD|ZT: RESULT)' "$log"
	echo "(full guest log: $log)"
	echo
	summarize_run
	echo
	echo "zheapstat (tools/zheapstat.c, run as nobody) every 10 s while it ran, then at the end:"
	sed -n 's/^ZT: ZHEAPSTAT //p' "$log"
	rc=0
	grep -q '^ZT: RESULT main PASS' "$log" || rc=1
	count run "$log" || rc=1
	exit $rc
fi

grep -E '^ZT: (RESULT|METRIC|STRESS)' "$log" | sed 's/^ZT: /qemu: /'
if ! grep -q '^ZT: DONE' "$log"; then
	echo "qemu: guest did not finish (qemu exit $qemu_rc); last lines:"
	tail -n 40 "$log"
fi
count "$mode" "$log"
