# SPDX-License-Identifier: GPL-2.0
#
# The tracepoint scenario (in zt.mode=test, and alone as zt.mode=trace):
# sourced by tests/qemu/init, whose helpers (result, metric, zram_module,
# zram_unload, wb_stress_log) it uses.
#
# Every zheap event is enabled in tracefs before two pools are made, and
# each event's count over their lives must equal the counter it stands
# for in the pool's debugfs stats (include/trace/events/zheap.h):
#
#   zram0            zheap_zram on zsmalloc: blocks written, checked and
#                    discarded (tools/zstress.c), the kernel's
#                    compact_memory, zheap_compact() and zram's compact:
#                    zheap_malloc, zheap_free, zheap_page_migrated,
#                    zheap_compact (its pages and objects summed too)
#   zheap_wb_stress  an LRU pool of tools/stress/zheap_wb_stress.ko
#                    (hold=1, the epoch policy), written back by its
#                    shrinker through drop_caches: zheap_writeback,
#                    zheap_lru_epoch, and the object events again
#
# zheap_malloc_fail is compared too (both 0 unless memory ran out).  A
# reader drains trace_pipe into a file while the pools work; the ring
# buffer must not have overrun, or the counts mean nothing.

TRACE=/sys/kernel/tracing

# trace_count FILE EVENT POOL [FIELD]: how many EVENT lines of POOL are in
# FILE, or the sum of their FIELD.
trace_count() {
	awk -v ev="$2:" -v pool="pool=$3" -v field="$4" '
	{
		hit = 0
		for (i = 1; i <= NF; i++) {
			if ($i == ev && $(i + 1) == pool)
				hit = 1
		}
		if (!hit)
			next
		if (field == "") {
			n++
			next
		}
		for (i = 1; i <= NF; i++)
			if (index($i, field "=") == 1)
				n += substr($i, length(field) + 2)
	}
	END { print n + 0 }' "$1"
}

# trace_stat SNAPSHOT NAME: a counter of a saved debugfs stats file.
trace_stat() { sed -n "s/^$2 //p" "$1"; }

# trace_match SNAPSHOT POOL EVENT COUNTER [FIELD]: one comparison; adds to
# $trace_off what does not match, to $trace_pairs what does.
trace_match() {
	want=$(trace_stat "$1" "$4")
	got=$(trace_count /tmp/trace.out "$3" "$2" "${5:-}")
	what="$3${5:+.$5}=$got/$4=${want:-none}"
	if [ "$got" = "${want:-none}" ]; then
		trace_pairs="$trace_pairs $what"
	else
		trace_off="$trace_off $what"
	fi
}

trace_scenario() {
	name=tracepoints
	[ -d $TRACE/events ] || mount -t tracefs nodev $TRACE 2>/dev/null
	if [ ! -d $TRACE/events/zheap ]; then
		result $name FAIL "no events/zheap in tracefs"
		return
	fi
	echo 0 > $TRACE/tracing_on
	echo 8192 > $TRACE/buffer_size_kb
	echo > $TRACE/trace
	echo 1 > $TRACE/events/zheap/enable
	# drained as it fills: a faster machine makes more events in the
	# same seconds than the buffer holds
	cat $TRACE/trace_pipe > /tmp/trace.out &
	tpid=$!
	echo 1 > $TRACE/tracing_on

	# zram0: objects stored, freed, migrated and compacted
	if ! zram_module zheap_zram zsmalloc ||
	   ! echo 32M > /sys/block/zram0/disksize; then
		result $name FAIL "zheap_zram"
		kill $tpid
		return
	fi
	/zstress zram 10 "$SEED" 20 /dev/zram0 0 8192 > /tmp/trace.zstress 2>&1 &
	zpid=$!
	while kill -0 $zpid 2>/dev/null; do
		echo 1 > /proc/sys/vm/compact_memory
		sleep 1
	done
	wait $zpid
	zrc=$?
	# No background compaction of zram0 after its counters are read (a
	# quiet pool tidies itself a second after its last free): threshold 0
	# stops the worker at its next look or slice; the second lets one that
	# had already looked finish, and the compactions below wait for it.
	trace_thr=$(cat /sys/module/zheap/parameters/compact_threshold)
	echo 0 > /sys/module/zheap/parameters/compact_threshold
	sleep 1
	echo 1 > /sys/kernel/debug/zheap/zram0/compact
	echo 1 > /sys/block/zram0/compact
	cp /sys/kernel/debug/zheap/zram0/stats /tmp/trace.zram0

	# an LRU pool: written back by its shrinker, epochs ending
	mark=$(dmesg | wc -l)
	if ! insmod /lib/zheap_wb_stress.ko backend=zsmalloc dev=/dev/vdb \
		seed="$SEED" hold=1 policy=epoch objects=4000; then
		result $name FAIL "insmod zheap_wb_stress"
		kill $tpid
		zram_unload zheap_zram
		echo "$trace_thr" > /sys/module/zheap/parameters/compact_threshold
		return
	fi
	echo 2 > /proc/sys/vm/drop_caches
	echo 2 > /proc/sys/vm/drop_caches
	cp /sys/kernel/debug/zheap/zheap_wb_stress/stats /tmp/trace.wb
	echo 0 > $TRACE/tracing_on
	echo 1 > /sys/module/zheap_wb_stress/parameters/finish
	rmmod zheap_wb_stress
	wb_stress_log "$mark" > /dev/null
	# until the reader has taken every event left in the buffer
	i=0
	while [ "$(sed -n 's/^entries: //p' $TRACE/per_cpu/cpu*/stats |
		   awk '{ s += $1 } END { print s + 0 }')" != 0 ] && [ $i -lt 60 ]; do
		sleep 1
		i=$((i + 1))
	done
	sleep 1
	kill $tpid
	wait $tpid 2>/dev/null
	overrun=$(sed -n 's/^overrun: //p' $TRACE/per_cpu/cpu*/stats |
		  awk '{ s += $1 } END { print s + 0 }')
	echo 0 > $TRACE/events/zheap/enable
	echo > $TRACE/trace
	echo 1408 > $TRACE/buffer_size_kb
	zram_unload zheap_zram
	echo "$trace_thr" > /sys/module/zheap/parameters/compact_threshold

	trace_pairs=""
	trace_off=""
	for ev in zheap_malloc:malloc_ok zheap_free:frees \
		  zheap_malloc_fail:malloc_fail zheap_page_migrated:pages_migrated \
		  zheap_compact:compactions; do
		trace_match /tmp/trace.zram0 zram0 "${ev%%:*}" "${ev#*:}"
	done
	trace_match /tmp/trace.zram0 zram0 zheap_compact pages_compacted pages_freed
	trace_match /tmp/trace.zram0 zram0 zheap_compact objects_moved objects_moved
	for ev in zheap_malloc:malloc_ok zheap_free:frees \
		  zheap_lru_epoch:lru_epochs; do
		trace_match /tmp/trace.wb zheap_wb_stress "${ev%%:*}" "${ev#*:}"
	done
	# written back: the events whose consumer said 0
	want=$(trace_stat /tmp/trace.wb written_back)
	got=$(grep -c ' zheap_writeback: pool=zheap_wb_stress .* ret=0 ' /tmp/trace.out)
	if [ "$got" = "${want:-none}" ]; then
		trace_pairs="$trace_pairs zheap_writeback.ret=0=$got/written_back=$want"
	else
		trace_off="$trace_off zheap_writeback.ret=0=$got/written_back=${want:-none}"
	fi
	metric "tracepoints $trace_pairs$trace_off overrun=$overrun"

	# the comparisons mean something only if each kind happened
	none=""
	for c in zram0:malloc_ok zram0:frees zram0:pages_migrated \
		 zram0:compactions wb:written_back wb:lru_epochs; do
		f=/tmp/trace.${c%%:*}
		[ "$(trace_stat $f "${c#*:}")" -gt 0 ] 2>/dev/null || none="$none ${c#*:}"
	done
	if [ "$zrc" != 0 ]; then
		result $name FAIL "zram worker failed: $(tail -n 2 /tmp/trace.zstress | tr '\n' ' ')"
	elif [ "$overrun" != 0 ]; then
		result $name FAIL "trace buffer overran ($overrun events lost)"
	elif [ -n "$trace_off" ]; then
		result $name FAIL "events and counters differ:$trace_off"
	elif [ -n "$none" ]; then
		result $name FAIL "nothing happened to compare:$none"
	else
		result $name PASS "$(echo "$trace_pairs" | wc -w) event counts equal their counters"
	fi
}
