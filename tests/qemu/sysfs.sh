# SPDX-License-Identifier: GPL-2.0
#
# The sysfs statistics scenario (in zt.mode=test, and alone as
# zt.mode=sysfs): sourced by tests/qemu/init, whose helpers (result,
# metric, zram_module, zram_unload, wb_stress_log) it uses.
#
# /sys/kernel/zheap/<pool>/ (zpool/sysfs.c) must be readable by a user
# who is not root, hold one value per file, and on a quiet pool show
# exactly what debugfs's stats shows for every field of the same name,
# with nothing debugfs lacks but the pool's name.  A pool without an LRU
# (zheap_zram's zram0) has no LRU-only field, one with an LRU
# (zheap_wb_stress's) has them all; the directory goes with its pool.

# sysfs_check DIR STATS: compare DIR, read as nobody, with the debugfs
# stats file STATS; sets $sysfs_why on a mismatch, adds to $sysfs_fields.
sysfs_check() {
	su -s /bin/sh nobody -c "cd $1 && for f in *; do
		printf '%s %s\\n' \"\$f\" \"\$(cat \"\$f\" 2>&1 | tr '\\n' '|')\"
	done" > /tmp/sysfs.out 2>&1
	n=0
	while read -r f v; do
		n=$((n + 1))
		case "$v" in
		*"|") v=${v%|} ;;
		*) sysfs_why="$sysfs_why $f: not one line as nobody ($v)"; continue ;;
		esac
		case "$v" in
		*"|"*) sysfs_why="$sysfs_why $f: more than one value"; continue ;;
		esac
		[ "$f" = name ] && continue
		want=$(sed -n "s/^$f //p" "$2")
		[ "$v" = "$want" ] || sysfs_why="$sysfs_why $f: sysfs $v, debugfs ${want:-none}"
	done < /tmp/sysfs.out
	# every debugfs field is there too
	while read -r f v; do
		grep -q "^$f " /tmp/sysfs.out || sysfs_why="$sysfs_why $f: not in sysfs"
	done < "$2"
	sysfs_fields=$((sysfs_fields + n))
}

sysfs_scenario() {
	name=sysfs_stats
	add_nobody
	# A quiet pool: no background compaction between the two reads (a
	# cold CI run caught one slice there).  Put back at the end.
	bg_threshold=$(cat /sys/module/zheap/parameters/compact_threshold)
	echo 0 > /sys/module/zheap/parameters/compact_threshold
	if ! zram_module zheap_zram zsmalloc ||
	   ! echo 16M > /sys/block/zram0/disksize; then
		result $name FAIL "zheap_zram"
		echo "$bg_threshold" > /sys/module/zheap/parameters/compact_threshold
		return
	fi
	/zstress zram 3 "$SEED" 30 /dev/zram0 0 4096 > /dev/null 2>&1
	sysfs_why=""
	sysfs_fields=0
	d=/sys/kernel/zheap/zram0
	if [ -d $d ]; then
		sysfs_check $d /sys/kernel/debug/zheap/zram0/stats
		[ -e $d/written_back ] && sysfs_why="$sysfs_why zram0 has LRU fields"
		[ "$(cat $d/name)" = zram0 ] || sysfs_why="$sysfs_why zram0: name $(cat $d/name)"
		[ "$(cat $d/consumer)" = zram ] || sysfs_why="$sysfs_why zram0: consumer $(cat $d/consumer)"
		# zheapstat reads the same, as nobody
		objs=$(cat $d/objects)
		su -s /bin/sh nobody -c '/zheapstat --json' > /tmp/zheapstat.json 2>&1
		grep -q "\"dir\": \"zram0\".*\"objects\": $objs," /tmp/zheapstat.json ||
			sysfs_why="$sysfs_why zheapstat --json: not objects $objs for zram0 ($(head -c 300 /tmp/zheapstat.json))"
		su -s /bin/sh nobody -c '/zheapstat' | grep -q "^zram0 .* zram .* $objs " ||
			sysfs_why="$sysfs_why zheapstat: no zram0 line (zram, $objs objects)"
		# -v: root gets zsmalloc's per-class rows, nobody a note
		/zheapstat -v 2>&1 | grep -q '^zram0 classes class size span_pages span_objs spans objects pages slots$' ||
			sysfs_why="$sysfs_why zheapstat -v: no classes for zram0"
		csum=$(awk 'NR > 1 { o += $6 } END { print o + 0 }' /sys/kernel/debug/zheap/zram0/classes)
		[ "$csum" = "$objs" ] || sysfs_why="$sysfs_why classes: $csum objects, not $objs"
		su -s /bin/sh nobody -c '/zheapstat -v' 2>&1 | grep -q 'no per-class detail' ||
			sysfs_why="$sysfs_why zheapstat -v as nobody: no note"
	else
		sysfs_why="$sysfs_why no $d"
	fi
	zram_unload zheap_zram
	[ -e $d ] && sysfs_why="$sysfs_why $d stays after reset"

	if insmod /lib/zheap_wb_stress.ko backend=zbud dev=/dev/vdb \
		seed="$SEED" hold=1 objects=500; then
		d=/sys/kernel/zheap/zheap_wb_stress
		if [ -d $d ]; then
			sysfs_check $d /sys/kernel/debug/zheap/zheap_wb_stress/stats
			[ -e $d/written_back ] || sysfs_why="$sysfs_why LRU pool without written_back"
			[ "$(cat $d/backend)" = zbud ] || sysfs_why="$sysfs_why backend $(cat $d/backend)"
			[ "$(cat $d/consumer)" = direct ] || sysfs_why="$sysfs_why wb_stress: consumer $(cat $d/consumer)"
		else
			sysfs_why="$sysfs_why no $d"
		fi
		echo 2 > /proc/sys/vm/drop_caches
		echo 1 > /sys/module/zheap_wb_stress/parameters/finish
		rmmod zheap_wb_stress
		[ -e $d ] && sysfs_why="$sysfs_why $d stays after the pool"
	else
		sysfs_why="$sysfs_why insmod zheap_wb_stress"
	fi

	echo "$bg_threshold" > /sys/module/zheap/parameters/compact_threshold
	if [ -z "$sysfs_why" ] && [ "$sysfs_fields" -gt 0 ]; then
		result $name PASS "$sysfs_fields fields read as nobody, equal to debugfs's"
	else
		result $name FAIL "${sysfs_why:- no field read}"
	fi
}
