#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run zheap's KUnit suites on UML with the kernel's own kunit.py.
#
#   scripts/kunit.sh plain|debug [--build-only]
#
# The project is linked into the cached linux-source-6.12 tree as mm/zheap
# (a symlink, one `source` line in mm/Kconfig, one obj line in mm/Makefile);
# the build directory lives in $ZHEAP_CACHE/uml-<flavour> and is reused, so a
# warm run rebuilds only our files.
#
# The last line printed is "kunit-<flavour>: N passed, N failed".  Skipped
# cases count as failed: no case of ours may skip.  Any KASAN, lockdep,
# list-debug, kmemleak or unexpected WARNING report in the kernel log fails
# the run even if every case passed.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

flavour=${1:-plain}
build_only=${2:-}
case "$flavour" in
plain) kconfig="$here/tests/zheap.kunitconfig" ;;
debug) kconfig="$here/tests/zheap-debug.kunitconfig" ;;
*) echo "usage: $0 plain|debug" >&2; exit 2 ;;
esac

src=$ZHEAP_SRC
build="$ZHEAP_CACHE/uml-$flavour"
out="$ZHEAP_CACHE/kunit-$flavour.log"

if [ ! -d "$src/tools/testing/kunit" ]; then
	echo "kunit-$flavour: no kernel source at $src (run scripts/setup.sh)" >&2
	echo "kunit-$flavour: 0 passed, 1 failed"
	exit 1
fi

# Link the project into the tree (idempotent).  When the link moves to
# another checkout, drop our old objects so nothing stale is linked in.
link="$src/mm/zheap"
if [ "$(readlink "$link" 2>/dev/null)" != "$here" ]; then
	rm -f "$link"
	ln -s "$here" "$link"
	rm -rf "$ZHEAP_CACHE"/uml-*/mm/zheap
fi
grep -q 'mm/zheap/Kconfig' "$src/mm/Kconfig" ||
	sed -i '$i source "mm/zheap/Kconfig"' "$src/mm/Kconfig"
grep -q 'zheap/' "$src/mm/Makefile" ||
	echo 'obj-$(CONFIG_ZHEAP) += zheap/' >> "$src/mm/Makefile"

mkdir -p "$build"
cd "$src" || exit 1
kunit=(python3 tools/testing/kunit/kunit.py)
jobs=$(nproc)

if [ "$build_only" = --build-only ]; then
	"${kunit[@]}" build --arch=um --build_dir="$build" \
		--kunitconfig="$kconfig" --jobs="$jobs"
	exit $?
fi

# ZHEAP_KUNIT_SEED=N replays the random cases of a run that printed "seed N".
# Background compaction is off (the cases count pages and compactions
# exactly); the case that tests it turns it on for itself.
args=(--kernel_args="zheap.compact_threshold=0")
[ -n "${ZHEAP_KUNIT_SEED:-}" ] && args+=(--kernel_args="zheap_test.seed=$ZHEAP_KUNIT_SEED")
"${kunit[@]}" run --arch=um --build_dir="$build" --kunitconfig="$kconfig" \
	--jobs="$jobs" --timeout=900 --raw_output=all "${args[@]}" > "$out" 2>&1
run_rc=$?

python3 "$here/scripts/kunit_count.py" "$flavour" "$out"
count_rc=$?
[ $run_rc -eq 0 ] && [ $count_rc -eq 0 ]
