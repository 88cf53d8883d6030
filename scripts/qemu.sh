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
#   stress  the compaction and writeback stress runs    make stress
#           and the buddyinfo comparison
#   wb      the writeback scenarios alone               (by hand)
#   zram    the zram scenarios alone                    (by hand)
#   zramfs  zram under ext2, writeback to a backing     (by hand)
#           device and the zram selftests
#   buddy   the buddyinfo comparison alone              (by hand)
#   unload  a backend's rmmod racing writes to zswap's  (by hand)
#           zpool parameter alone
#
#   scripts/qemu.sh MODE    (default: test)
#
# scripts/qemu_count.py judges every mode's serial log: no ZT: DONE, an
# incomplete kernel log dump or any report or WARNING in it fails.
#
# ZHEAP_QEMU_MIB and ZHEAP_QEMU_SEED override the workload's size and seed;
# ZHEAP_QEMU_SMP the guest's CPUs (2).  With one, -icount bench times carry
# no other vCPU's instructions (the stall figure then means nothing).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

mode=${1:-test}
mib=${ZHEAP_QEMU_MIB:-}
seed=${ZHEAP_QEMU_SEED:-1}
work="$ZHEAP_CACHE/qemu"
log="$work/$mode.log"

fail_all() {
	echo "qemu: $*" >&2
	echo "qemu: 0 passed, 1 failed"
	exit 1
}

for f in "$ZHEAP_VMLINUZ" /bin/busybox; do
	[ -e "$f" ] || fail_all "missing $f (run scripts/setup.sh)"
done
command -v qemu-system-x86_64 >/dev/null || fail_all "qemu-system-x86_64 not installed"

mkdir -p "$work"
make -s -C "$here" modules >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; fail_all "module build failed"; }
gcc -O2 -static -Wall -o "$work/zload" "$here/tools/zload.c" ||
	fail_all "cannot build tools/zload.c"

# The initramfs: busybox, our init, zload, our modules and virtio_blk.
root="$work/root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$here/tests/qemu/modprobe" "$root/sbin/modprobe"
cp "$here/tests/qemu/init" "$root/init"
chmod +x "$root/init"
cp "$work/zload" "$root/zload"
cp "$here/zheap.ko" "$here/zheap_zbud.ko" "$here/zheap_zsmalloc.ko" \
	"$here/zheap_bench.ko" "$here/zheap_stress.ko" \
	"$here/zheap_wb_stress.ko" "$root/lib/"
[ -f "$here/zheap_zram.ko" ] && cp "$here/zheap_zram.ko" "$root/lib/"
xz -dc "$ZHEAP_MODDIR/kernel/drivers/block/zram/zram.ko.xz" > "$root/lib/zram.ko" ||
	fail_all "no zram module for $ZHEAP_KVER"
for m in lib/lz4/lz4_compress lib/lz4/lz4hc_compress crypto/lz4; do
	xz -dc "$ZHEAP_MODDIR/kernel/$m.ko.xz" > "$root/lib/$(basename $m).ko" ||
		fail_all "no $m module for $ZHEAP_KVER"
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
if [ "$mode" = test ] || [ "$mode" = zram ] || [ "$mode" = zramfs ]; then
	# ext2 (ext4's driver) for zram_fs and the zram selftests of
	# linux-source-6.12, unmodified, with shims for what busybox lacks.
	for m in lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4; do
		xz -dc "$ZHEAP_MODDIR/kernel/$m.ko.xz" > "$root/lib/$(basename $m).ko" ||
			fail_all "no $m module for $ZHEAP_KVER"
	done
	mkdir -p "$root/zram-selftests"
	cp "$ZHEAP_SRC"/tools/testing/selftests/zram/*.sh "$root/zram-selftests/" ||
		fail_all "no zram selftests in $ZHEAP_SRC"
	cp "$here"/tests/qemu/shims/* "$root/bin/"
fi
if [ "$mode" = test ] || [ "$mode" = zram ] || [ "$mode" = zramfs ] ||
   [ "$mode" = e2e ]; then
	# The same bytes through Debian's zram and zheap_zram: text, C and
	# machine code, 8 MiB.
	mkdir -p "$root/data"
	{
		find "$ZHEAP_SRC/Documentation" -name '*.rst' | sort | xargs cat 2>/dev/null | head -c 3M
		find "$ZHEAP_SRC/mm" -name '*.c' | sort | xargs cat 2>/dev/null | head -c 2M
		head -c 3M "$(command -v qemu-system-x86_64)"
	} > "$root/data/zram.bin"
fi
xz -dc "$ZHEAP_MODDIR/kernel/drivers/block/virtio_blk.ko.xz" > "$root/lib/virtio_blk.ko" ||
	fail_all "no virtio_blk module for $ZHEAP_KVER"
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
e2e)
	# Small enough that zram, whose memory is the guest's own, holds it
	# all in the 256 MiB guest.
	: "${mib:=128}"
	;;
*) : "${mib:=384}" ;;
esac

# 256 MiB of RAM, so a 384-400 MiB workload must swap; zswap in front.
append="console=ttyS0 panic=-1 loglevel=4 zswap.enabled=1"
append+=" zswap.max_pool_percent=50 zt.mode=$mode zt.mib=$mib zt.seed=$seed"
[ -n "${ZHEAP_BENCH_ARGS:-}" ] && append+=" zt.bench=\"$ZHEAP_BENCH_ARGS\""
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
timeout 1200 qemu-system-x86_64 -machine q35 -accel tcg -cpu max,-cx16 -smp "${ZHEAP_QEMU_SMP:-2}" -m $mem \
	"${icount[@]}" "${plugin[@]}" \
	-kernel "$ZHEAP_VMLINUZ" -initrd "$work/initrd.gz" -append "$append" \
	-drive "file=$work/swap.img,if=virtio,format=raw" \
	-drive "file=$work/wb.img,if=virtio,format=raw" \
	-nographic -no-reboot -monitor none -serial stdio </dev/null \
	| tr -d '\r' > "$log" 2>&1
qemu_rc=$?

# The main job's summary, from zload's lines: what was stored, how densely,
# how fast.
summarize_run() {
	awk -v kver="$ZHEAP_KVER" '
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

count() { python3 "$here/scripts/qemu_count.py" "$@"; }

# The bench asserts nothing about speed or density; it counts as passed
# when it ran to the end, every object read back intact and the kernel
# log is clean (scripts/qemu_count.py).
if [ "$mode" = bench ]; then
	sed -n 's/^ZT: BENCH //p' "$log"
	echo "(full guest log: $log)"
	count bench "$log"
	exit $?
fi

# The end-to-end report: a table, and a plot into Documentation/ (or
# $ZHEAP_PLOT_DIR); it passes when every run read every page back and the
# kernel logged no BUG or WARNING meanwhile.
if [ "$mode" = e2e ]; then
	echo "(full guest log: $log)"
	grep -q '^ZT: E2E done' "$log" || {
		echo "e2e: guest did not finish (qemu exit $qemu_rc); last lines:"
		tail -n 40 "$log"
	}
	grep -E '^ZT: (RESULT kernel_log_clean|DMESG)' "$log"
	python3 "$here/scripts/e2e_report.py" "$log" \
		"${ZHEAP_PLOT_DIR:-$here/Documentation}" "make bench" &&
		grep -q '^ZT: E2E done' "$log" &&
		grep -q '^ZT: RESULT kernel_log_clean PASS' "$log"
	rc=$?
	count e2e "$log" || rc=1
	[ $rc -eq 0 ] || echo "e2e: 0 passed, 1 failed"
	exit $rc
fi

if [ "$mode" = run ]; then
	grep -E '^(zheap:|ZLOAD|ZT: RESULT)' "$log"
	echo "(full guest log: $log)"
	echo
	summarize_run
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
