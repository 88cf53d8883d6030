# SPDX-License-Identifier: GPL-2.0
# venue NAME COMMAND...: run one venue of make check and add its count to
# total_pass and total_fail; its output goes to $logs/NAME.log too.
# Sourced by scripts/check.sh, and by scripts/harness_test.py, which shows
# that a venue that fails in any way is counted as failed.
venue() {
	local name=$1 log="$logs/$1.log" line p f rc t0=$(date +%s)

	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "== $name: $(($(date +%s) - t0)) s"
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: did not report a result; counted as failed"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	# A venue that exits non-zero has failed, whatever its line says.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exit status $rc with no failure counted; counted as failed"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}
