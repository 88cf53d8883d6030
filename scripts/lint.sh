#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# zheap's static checks, each one pass or fail:
#   build-w1-sparse  the modules built from clean with W=1 and C=1 against
#                    Debian's 6.12 headers: no warning from gcc or sparse
#   checkpatch       checkpatch.pl --strict on every C file and header
#   kernel-doc       scripts/kernel-doc -none -Wall: no complaint
#   coccicheck       the kernel's Coccinelle scripts, MODE=report: nothing
#   layers           every include and cross-folder symbol of the objects
#                    that build left points down the layers
#                    (scripts/layers.py; debts in scripts/layers.allow)
#   stats-doc        the counter table, its enum and Documentation/stats.rst
#                    agree (scripts/stats_doc.py)
#   modules          what the built modules declare: little static per-CPU
#                    data, and backend aliases on backends only
#                    (scripts/modules_check.py)
#   rt-refused       a build against Debian's 6.12 -rt headers stops at
#                    include/zheap.h's #error, which says why
#   htmldocs         Documentation/ renders with Sphinx and the kernel's
#                    kerneldoc extension: no warning (scripts/htmldocs.sh)
#
# Ends with "lint: N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"
cd "$here" || exit 1

passed=0
failed=0
out="$ZHEAP_CACHE/lint"
mkdir -p "$out"

step() {
	local name=$1 log="$out/$1.log"

	shift
	if "$@" >"$log" 2>&1; then
		echo "lint: PASS $name"
		passed=$((passed + 1))
	else
		echo "lint: FAIL $name"
		sed 's/^/    /' "$log" | head -n 60
		failed=$((failed + 1))
	fi
}

# Kernel C only: tools/zload.c is the guest's user-space workload and
# tools/profile/ a QEMU plugin (built below, with -Wall -Werror).
mapfile -t sources < <(git ls-files '*.c' '*.h' |
	grep -v -e '^tools/zload.c' -e '^tools/profile/')

build_w1_sparse() {
	make -s clean >/dev/null 2>&1
	# zheap_zram.ko is linux-source-6.12's zram, unmodified: not ours to
	# hold to W=1 and sparse (the QEMU runs build it).
	make modules W=1 C=1 ZHEAP_NO_ZRAM=1 2>&1 | tee "$out/build.raw" >/dev/null
	local rc=${PIPESTATUS[0]}
	grep -Ei 'warning:|error:' "$out/build.raw" && return 1
	[ "$rc" -eq 0 ] && [ -f zheap.ko ] && [ -f zheap_zbud.ko ] &&
		[ -f zheap_zsmalloc.ko ] && [ -f zheap_bench.ko ] &&
		gcc -O2 -Wall -Werror -shared -fPIC -o "$out/winprof.so" \
			tools/profile/winprof.c
}

checkpatch() {
	local msgs

	# CAMELCASE: the kernel's own movable-page API is __SetPageMovable()
	# and __ClearPageMovable(); --no-tree cannot tell that they are not
	# ours.
	msgs=$("$ZHEAP_SRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES,CAMELCASE -f "${sources[@]}" 2>&1 |
		grep -v 'total: 0 errors, 0 warnings, 0 checks')
	[ -z "$msgs" ] || { echo "$msgs"; return 1; }
}

kernel_doc() {
	local msgs

	msgs=$("$ZHEAP_SRC/scripts/kernel-doc" -none -Wall "${sources[@]}" 2>&1)
	[ -z "$msgs" ] || { echo "$msgs"; return 1; }
}

coccicheck() {
	command -v spatch >/dev/null || { echo "spatch not installed"; return 1; }
	make -C "$ZHEAP_SRC" coccicheck MODE=report M="$here" \
		J="$(nproc)" 2>&1 | tee "$out/cocci.raw" >/dev/null
	# Reports name a file of ours with a line number (zram/ holds
	# linux-source-6.12's zram, copied unmodified: not ours).
	grep -E "^$here/.*:[0-9]+" "$out/cocci.raw" | grep -v "^$here/zram/" &&
		return 1
	grep -q 'coccicheck failed' "$out/cocci.raw" && return 1
	return 0
}

# zheap is not for PREEMPT_RT (Kconfig says why): an out-of-tree build
# against Debian's -rt flavour must fail at once with that reason, not
# build modules that break at run time.
rt_refused() {
	local kdir="/usr/src/linux-headers-${ZHEAP_KABI}-rt-amd64" tree="$out/rt-tree"

	[ -d "$kdir" ] || { echo "no $kdir (scripts/setup.sh installs it)"; return 1; }
	rm -rf "$tree"
	mkdir -p "$tree"
	git ls-files -z | xargs -0 cp --parents -t "$tree"
	if make -C "$tree" modules KDIR="$kdir" ZHEAP_NO_ZRAM=1 >"$out/rt.raw" 2>&1; then
		echo "zheap built against $kdir"
		return 1
	fi
	grep -q 'error: #error "zheap does not support PREEMPT_RT' "$out/rt.raw" || {
		tail -n 20 "$out/rt.raw"
		return 1
	}
	rm -rf "$tree"
}

step build-w1-sparse build_w1_sparse
step layers python3 scripts/layers.py
step stats-doc python3 scripts/stats_doc.py
step modules python3 scripts/modules_check.py
step rt-refused rt_refused
step checkpatch checkpatch
step kernel-doc kernel_doc
step coccicheck coccicheck
step htmldocs bash scripts/htmldocs.sh "$out/htmldocs"

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
