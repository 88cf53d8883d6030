# SPDX-License-Identifier: GPL-2.0
#
# The race venue (zt.mode=race; make stress, short in make check): sourced
# by tests/qemu/init, whose helpers (result, metric, load_zheap,
# zram_module, rmmod_eventually, $zpool_param) it uses.
#
# Everything at once, on every CPU the guest has, for zt.secs= seconds
# (scripts/qemu.sh: 60, and 150 on the debug guest kernel), each worker
# with zt.mib= MiB (64, and 16 on the debug kernel, whose checks make
# every page cost more):
#
#   workers  tools/zstress.c: two swap workers, each in a memory cgroup
#            capped below its working set, rewriting, pushing out
#            (MADV_PAGEOUT), checking and dropping pages through zswap on
#            zheap; two zram workers writing, checking and discarding
#            blocks of zheap_zram's device with O_DIRECT
#   racers   the kernel's compaction (compact_memory), zheap_compact()
#            on every pool (debugfs), zram's compaction, the shrinkers
#            (drop_caches 2: zswap's writes back through zheap's LRU),
#            memory.reclaim of the workers' cgroups, CPU 1 going offline
#            and online, swapoff/swapon of a swap device zswap stores
#            for, and rmmod/insmod of zheap_zbud while zswap's zpool
#            parameter flips between zheap_zbud and zheap_zsmalloc
#
# Passing: every worker found every page as it last wrote it; every
# zheap pool's walk equals its counters once the racers have stopped and
# the swap workers, after their last pass, hold their pages in zswap
# (ZSTRESS_HOLD: pushed out with zswap's shrinker off), and they read
# back intact after the walk; the kernel's page migration moved zheap
# pages during the run (the pools' pages_migrated);
# zswap holds nothing after swapoff -a, zram nothing after its reset;
# the modules unload and zheap gives every page back (its exit WARNs
# otherwise); and, judged by init and scripts/qemu_count.py, the kernel
# logged no report.  The seed (zt.seed=) picks every worker's data and
# steps; the racers' timing is the machine's.

RACE_STOP=/tmp/race.stop
RACE_HOLD=/tmp/race.hold

# racer NAME PERIOD_US COMMAND...: run COMMAND every PERIOD_US until the
# stop file exists; count its rounds in /tmp/racer.NAME.
racer() {
	name=$1
	period=$2
	shift 2
	(
		n=0
		while [ ! -e $RACE_STOP ]; do
			"$@" > /dev/null 2>&1
			n=$((n + 1))
			usleep "$period"
		done
		echo $n > "/tmp/racer.$name"
	) &
	racers="$racers $!"
}

race_compact_pools() {
	for f in /sys/kernel/debug/zheap/*/compact; do
		[ -f "$f" ] && echo 1 > "$f"
	done
}

race_reclaim() {
	for cg in /sys/fs/cgroup/race0 /sys/fs/cgroup/race1; do
		echo 4M > $cg/memory.reclaim
	done
}

race_hotplug() {
	echo 0 > /sys/devices/system/cpu/cpu1/online
	usleep 300000
	echo 1 > /sys/devices/system/cpu/cpu1/online
}

race_swap() {
	swapoff /dev/vdb && /zstress swapon /dev/vdb 5
}

# A backend's unload against zswap's zpool parameter: the parameter goes
# to zheap_zbud (zswap makes a new pool there) and back; the rmmod fails
# while a pool is on it, and gets in when zswap has let the old one go.
race_module() {
	echo zheap_zbud > $zpool_param
	usleep 200000
	echo zheap_zsmalloc > $zpool_param
	rmmod zheap_zbud && insmod /lib/zheap_zbud.ko
	grep -q '^zheap_zbud ' /proc/modules || insmod /lib/zheap_zbud.ko
}

# Nobody but the holding swap workers has pages in the pools now, and they
# do not touch them: each pool's walk must equal its counters.
race_walks() {
	walks=0
	walked=0
	migrated=0
	off=""
	for f in /sys/kernel/debug/zheap/*/walk; do
		[ -f "$f" ] || continue
		walks=$((walks + 1))
		n=$(sed -n 's/^pages_migrated //p' "${f%/walk}/stats")
		migrated=$((migrated + ${n:-0}))
		w=$(tr '\n' ' ' < "$f")
		metric "race walk ${f#/sys/kernel/debug/zheap/} $w"
		n=$(echo "$w" | sed -n 's/.*walked_objects \([0-9]*\).*/\1/p')
		walked=$((walked + ${n:-0}))
		case "$w" in
		*"consistent 1"*) ;;
		*) off="$off ${f#/sys/kernel/debug/zheap/}" ;;
		esac
	done
}

# A run that overstays is dumped, so a stall names itself: every blocked
# task's stack (sysrq w), every held lock (sysrq d, lockdep's list on the
# debug kernel), every CPU's stack (sysrq l), and what each racer and
# worker is doing.  Their output is below the console's loglevel, so it is
# copied from dmesg to the serial line.  First at twice the run plus two
# minutes (on the debug kernel the workers' last pass and checks take a
# while), then every two minutes, three times.
race_watchdog() {
	(
		sleep $((2 * secs + 120))
		for n in 1 2 3; do
			[ -e /tmp/race.done ] && exit 0
			echo "ZT: NOTE race watchdog: dump $n, still running"
			mark=$(dmesg | wc -l)
			for k in w d l; do
				echo $k > /proc/sysrq-trigger
			done
			dmesg | tail -n +$((mark + 1)) | sed 's/^/ZT: NOTE dump /'
			for p in /proc/[0-9]*; do
				st=$(sed -n 's/^State:\t\(.\).*/\1/p' $p/status 2>/dev/null)
				[ "$st" = D ] || [ "$st" = R ] || continue
				echo "ZT: NOTE dump ${p#/proc/} $st $(tr '\0' ' ' < $p/cmdline 2>/dev/null) wchan=$(cat $p/wchan 2>/dev/null)"
			done
			tail -n 3 /tmp/zstress.* 2>/dev/null | sed 's/^/ZT: NOTE dump /'
			sleep 120
		done
	) &
}

# race_alive PID...: how many of them are still running.
race_alive() {
	n=0
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}

race_rounds() {
	for f in /tmp/racer.*; do
		printf '%s=%s ' "${f#/tmp/racer.}" "$(cat "$f")"
	done
}

run_race() {
	secs=$(arg zt.secs)
	: "${secs:=60}"
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	echo "ZT: NOTE race seed=$SEED secs=$secs cpus=$cpus mib=$MIB"
	if ! load_zheap || ! echo zheap_zsmalloc > $zpool_param; then
		result race_setup FAIL "insmod or zpool"
		return
	fi
	echo Y > /sys/module/zswap/parameters/shrinker_enabled
	# a second swap device, first in line, for the swapoff racer
	mkswap /dev/vdb > /dev/null && /zstress swapon /dev/vdb 5
	if ! zram_module zheap_zram zsmalloc ||
	   ! echo 64M > /sys/block/zram0/disksize; then
		result race_setup FAIL "zheap_zram"
		return
	fi
	# each swap worker's cgroup holds 5/8 of its pages; each zram worker
	# has 3/8 of zt.mib in blocks
	blocks=$((MIB * 96))
	for w in 0 1; do
		mkdir -p /sys/fs/cgroup/race$w
		echo $((MIB * 5 / 8))M > /sys/fs/cgroup/race$w/memory.max
	done
	rm -f $RACE_STOP $RACE_HOLD /tmp/racer.* /tmp/zstress.* /tmp/race.done
	race_watchdog
	mig0=$(vmstat pgmigrate_success)

	swappers=""
	for w in 0 1; do
		sh -c "echo \$\$ > /sys/fs/cgroup/race$w/cgroup.procs &&
		       ZSTRESS_HOLD=$RACE_HOLD exec /zstress swap $secs $SEED $w $MIB" \
			> /tmp/zstress.swap$w 2>&1 &
		swappers="$swappers $!"
	done
	workers=""
	for w in 0 1; do
		/zstress zram "$secs" "$SEED" $((w + 10)) /dev/zram0 \
			$((w * blocks)) $blocks > /tmp/zstress.zram$w 2>&1 &
		workers="$workers $!"
	done

	racers=""
	racer compact_memory 1000000 sh -c 'echo 1 > /proc/sys/vm/compact_memory'
	racer zheap_compact 500000 race_compact_pools
	racer zram_compact 700000 sh -c 'echo 1 > /sys/block/zram0/compact'
	racer drop_slab 1500000 sh -c 'echo 2 > /proc/sys/vm/drop_caches'
	racer reclaim 400000 race_reclaim
	[ "$cpus" -gt 1 ] && racer hotplug 700000 race_hotplug
	racer swapoff 2000000 race_swap
	racer module 300000 race_module

	sleep "$secs"
	touch $RACE_STOP
	for p in $racers; do
		wait "$p"
	done
	# what the racers may have left behind; and zswap keeps what the
	# swap workers push out at the end, for the walk
	echo 1 > /sys/devices/system/cpu/cpu1/online 2>/dev/null
	echo zheap_zsmalloc > $zpool_param
	grep -q '^zheap_zbud ' /proc/modules || insmod /lib/zheap_zbud.ko
	echo N > /sys/module/zswap/parameters/shrinker_enabled
	failed=0
	for p in $workers; do
		wait "$p" || failed=$((failed + 1))
	done
	# the swap workers' last pass done, their pages pushed out again
	# (a worker that died holds nothing: stop waiting once none is left
	# that may still get there)
	i=0
	while [ "$(cat /tmp/zstress.swap* | grep -c '^ZSTRESS holding')" -lt "$(race_alive $swappers)" ] &&
	      [ $i -lt 1200 ]; do
		sleep 1
		i=$((i + 1))
	done
	race_walks
	touch $RACE_HOLD
	for p in $swappers; do
		wait "$p" || failed=$((failed + 1))
	done

	metric "race seed=$SEED secs=$secs cpus=$cpus racers: $(race_rounds)"
	grep -h '^ZSTRESS' /tmp/zstress.* | sed 's/^/ZT: METRIC race /'
	bad=$(sed -n 's/^ZSTRESS kind=.* bad=\([0-9]*\)$/\1/p' /tmp/zstress.* |
	      awk '{ s += $1 } END { print s + 0 }')
	done_workers=$(grep -c '^ZSTRESS kind=' /tmp/zstress.* | awk -F: '{ s += $2 } END { print s }')
	if [ "$failed" = 0 ] && [ "$bad" = 0 ] && [ "$done_workers" = 4 ]; then
		result race_data_intact PASS "4 workers, 0 bad pages"
	else
		result race_data_intact FAIL "$failed workers failed, $bad bad pages, $done_workers reported"
		grep -h -v '^ZSTRESS kind=' /tmp/zstress.* | head -n 20 | sed 's/^/ZT: NOTE /'
	fi

	if [ "$walks" -gt 0 ] && [ "$walked" -gt 0 ] && [ -z "$off" ]; then
		result race_walk_equals_counters PASS "$walks pools, $walked objects"
	else
		result race_walk_equals_counters FAIL "$walks pools, $walked objects walked, inconsistent:${off:- none}"
	fi

	# The kernel's own migrate_pages() moved zheap pages while everything
	# else went on (compact_memory, hotplug): counted by the pools that
	# are left (zram's lived through the whole run).
	# (the debug kernel has no vm event counters: no pgmigrate_success)
	all=$(vmstat pgmigrate_success)
	[ -n "$all" ] && [ -n "$mig0" ] && all=", $((all - mig0)) pages in all"
	if [ "$migrated" -gt 0 ]; then
		result race_kernel_migrated_pages PASS "$migrated zheap pages migrated by the kernel$all"
	else
		result race_kernel_migrated_pages FAIL "no zheap page migrated by the kernel$all"
	fi

	# Nothing left behind.
	swapoff -a
	stored=$(cat /sys/kernel/debug/zswap/stored_pages)
	if [ "$stored" = 0 ]; then
		result race_swapoff_empties_zswap PASS "stored_pages 0"
	else
		result race_swapoff_empties_zswap FAIL "stored_pages $stored after swapoff -a"
	fi
	# zram's pool is zheap's "zram0": its reset destroys it
	before=$(sed -n 's/^objects //p' /sys/kernel/debug/zheap/zram0/stats)
	echo 1 > /sys/block/zram0/reset
	if [ "${before:-0}" -gt 0 ] && [ ! -e /sys/kernel/debug/zheap/zram0 ]; then
		result race_reset_empties_zram PASS "its pool of $before objects destroyed"
	else
		result race_reset_empties_zram FAIL "pool zram0: ${before:-none} objects before reset, $(ls /sys/kernel/debug/zheap | tr '\n' ' ') after"
	fi
	echo zsmalloc > $zpool_param
	if rmmod_eventually zheap_zram 10 && rmmod_eventually zheap_zsmalloc 30 &&
	   rmmod_eventually zheap_zbud 10 && rmmod_eventually zheap 10 &&
	   dmesg | grep -q 'zheap: unloaded, every page given back'; then
		result race_unload_frees_every_page PASS "unloaded, every page given back"
	else
		result race_unload_frees_every_page FAIL "$(lsmod | grep zheap | tr '\n' ' ')"
	fi
	swapon /dev/vda
	touch /tmp/race.done
}
