#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaging check: the Debian packages (zheap-dkms, zheap-tools) and
# make install, each step pass or fail, without changing the host (no
# dpkg -i, nothing written under /lib/modules or /var/lib/dkms):
#   copy         the working tree (tracked and untracked files, no build
#                products) into $ZHEAP_CACHE/pkg/src/zheap
#   deb          dpkg-buildpackage -b -us -uc there: zheap-dkms_<v>_all.deb
#                and zheap-tools_<v>_<arch>.deb
#   lintian      lintian on the .changes (with the .buildinfo) and both
#                .debs: no E: or W: tag
#   contents     the .deb holds zheap's module sources, zram's, dkms.conf
#                naming exactly the four shipped modules, and no test,
#                bench or stress file; outside /usr/src and its docs
#                exactly dist/'s four files, none where it acts unasked
#                (no modprobe.d, modules-load.d or unit symlink)
#   tools        zheap-tools holds exactly /usr/bin/zheapstat, its man
#                page and its docs; zheapstat was built with Debian's
#                hardening flags (blhc on the build log, if installed;
#                PIE, BIND_NOW, RELRO, fortify and the stack protector
#                in the binary); the binary, unpacked into a private
#                dir, reads a fake /sys/kernel/zheap of two pools: table
#                (density to 3 decimals), -b, --json (python3 -m
#                json.tool), exit 1 without the directory, 2 for bad
#                usage; man -l renders the page without a warning
#   postinst     the package's postinst, run with a stub dkms first in
#                PATH, asks for every 6.12 kernel with headers here
#   unit         systemd-analyze verify on zheap-zswap.service in the
#                unpacked package (nothing printed); the maintainer
#                scripts never enable or start it, prerm stops it on
#                removal only
#   dkms-build   the .deb unpacked into a private root; dkms add, build
#                and install (--dkmstree, --sourcetree, --installtree,
#                --no-depmod, a private signing key) for $ZHEAP_KVER
#   dkms-rt      dkms build for the -rt kernel exits 77 (skipped), if its
#                headers are here
#   depmod       depmod -b on the private root, with Debian's modules of
#                $ZHEAP_KVER beside ours: no unknown symbol
#   resolve      modprobe -d resolves zheap-backend-zbud, -zsmalloc and
#                zheap_zram to the DKMS modules and their dependencies
#   zswap-helper the package's zheap-zswap (the unit's check, start and
#                stop) against a stand-in for zswap's parameters, with a
#                modprobe that resolves in the private tree (or Debian's,
#                for a kernel without zheap) and loads nothing
#   zram-conf    the package's zheap-zram.conf through modprobe -C:
#                parsed (--show-config), "modprobe zram" runs its install
#                command, whose modprobe resolves zheap_zram to the DKMS
#                modules with zheap's backend option; the install and
#                remove commands run with that modprobe give zheap_zram
#                here and Debian's zram in Debian's own tree
#   modinfo      the four modules: version, description, licence, every
#                parameter described, vermagic, DKMS's signature
#   make-default plain make still builds the bench and stress modules
#   make-install make install DESTDIR=... builds only the shipped modules
#                and puts exactly those under updates/; depmod resolves
#                them; make uninstall takes them away
#   host         /lib/modules/$ZHEAP_KVER and /var/lib/dkms as they were
#
# Leaves $ZHEAP_CACHE/pkg/root/lib/modules/$ZHEAP_KVER: updates/dkms/ with
# the four modules as DKMS installed them, and depmod's modules.* for
# Debian's modules plus these.  Lay it over a copy of Debian's
# /lib/modules/$ZHEAP_KVER (whose kernel/ is not repeated here) and
# modprobe finds zheap's modules, their aliases and dependencies.
#
# Ends with "package: N passed, N failed"; exits 1 on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

pkg="$ZHEAP_CACHE/pkg"
logs="$pkg/logs"
src="$pkg/src/zheap"
root="$pkg/root"
moddir="$root/lib/modules/$ZHEAP_KVER"
inst="$pkg/inst"
shipped=(zheap zheap_zbud zheap_zsmalloc zheap_zram)
ver=$(cat "$here/VERSION")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
tools_deb="$pkg/src/zheap-tools_${ver}_${arch}.deb"
export GIT_OPTIONAL_LOCKS=0

passed=0
ok=0
failed=0

# step NAME FUNCTION: runs FUNCTION with its output in $logs/NAME.log
# and sets ok to 1 if it passed, 0 if not; FUNCTION may leave a short
# note for the line (note).  Never call step from an if, && or ||: set -e
# would be ignored inside FUNCTION, and its checks would not count.
step() {
	local name=$1 extra="" rc=0

	shift
	rm -f "$logs/$1.note"
	set +e
	(set -e; "$@") >"$logs/$name.log" 2>&1
	rc=$?
	set -e
	if [ "$rc" -eq 0 ]; then
		[ -s "$logs/$1.note" ] && extra=" ($(cat "$logs/$1.note"))"
		echo "package: PASS $name$extra"
		passed=$((passed + 1))
		ok=1
		return 0
	fi
	echo "package: FAIL $name (log: $logs/$name.log)"
	tail -n 30 "$logs/$name.log" | sed 's/^/    /'
	failed=$((failed + 1))
	ok=0
}

note() { echo "$*" >>"$logs/${FUNCNAME[1]}.note"; }

# What no step may change: the module tree of the host kernel and
# DKMS's own tree.
host_state() {
	{
		find "/lib/modules/$ZHEAP_KVER" -maxdepth 1 -printf '%p %s %T@\n'
		find "/lib/modules/$ZHEAP_KVER/updates" -printf '%p\n' 2>/dev/null || true
		find /var/lib/dkms -printf '%p\n' 2>/dev/null || true
		find /usr/src -maxdepth 1 -printf '%p\n'
	} | sort
}

copy() {
	rm -rf "$pkg/src"
	mkdir -p "$src"
	cd "$here"
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ]; then printf '%s\0' "$f"; fi
		done |
		tar --null -T - -cf - | tar -xf - -C "$src"
	[ ! -e "$src/zram" ]
	[ -f "$src/debian/control" ]
	note "$(find "$src" -type f | wc -l) files"
}

deb() {
	cd "$src"
	dpkg-buildpackage -b -us -uc
	[ -f "$pkg/src/zheap-dkms_${ver}_all.deb" ]
	[ -f "$tools_deb" ]
	note "zheap-dkms_${ver}_all.deb, ${tools_deb##*/}"
}

lintian_step() {
	local changes out

	changes=$(ls "$pkg"/src/zheap_"${ver}"_*.changes)
	out=$(lintian --display-info --fail-on error,warning "$changes" \
		"$pkg/src/zheap-dkms_${ver}_all.deb" "$tools_deb") || {
		echo "$out"
		return 1
	}
	echo "$out"
	if grep -q '^[EW]: ' <<<"$out"; then
		return 1
	fi
	note "$(grep -c '^[EWI]: ' <<<"$out" || true) tags, none E: or W:"
}

contents() {
	local deb="$pkg/src/zheap-dkms_${ver}_all.deb" list conf

	list=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
	echo "$list"
	if grep -E '/(tests|tools|scripts|Documentation|debian)/|bench|stress|kunit|\.o$|\.ko' \
			<<<"$list"; then
		echo "contents: test, bench, stress or build files in the package"
		return 1
	fi
	for f in dkms.conf Makefile Kbuild VERSION zram/SOURCE zram/zram_drv.c \
			include/zheap.h include/trace/events/zheap.h \
			zpool/pool.c zbud/zbud.c zsmalloc/zsmalloc.c; do
		grep -qx "./usr/src/zheap-$ver/$f" <<<"$list" || {
			echo "contents: usr/src/zheap-$ver/$f missing"
			return 1
		}
	done
	# Outside the sources, docs and lintian overrides: dist/'s files,
	# nothing else (no modprobe.d, modules-load.d or unit symlink that
	# acts unasked).
	[ "$(grep -v -e '/$' -e "^\./usr/src/" -e '^\./usr/share/doc/' \
		-e '^\./usr/share/lintian/overrides/zheap-dkms$' <<<"$list" |
		sort)" = "$(printf '%s\n' "${dist_files[@]}" | sort)" ]
	[ "$(dpkg-deb -f "$deb" Architecture)" = all ]
	grep -q '^-rwxr-xr-x .* \./usr/libexec/zheap/zheap-zswap$' <<<"$(dpkg-deb -c "$deb")"
	[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/default/zheap ]
	conf=$(dpkg-deb --fsys-tarfile "$deb" |
		tar -xOf - "./usr/src/zheap-$ver/dkms.conf")
	grep -qx "PACKAGE_VERSION=\"$ver\"" <<<"$conf"
	[ "$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' <<<"$conf" |
		sort | tr '\n' ' ')" = "$(printf '%s\n' "${shipped[@]}" | sort |
		tr '\n' ' ')" ]
	note "$(wc -l <<<"$list") entries, dkms.conf $ver with ${#shipped[*]} modules"
}

# The fake /sys/kernel/zheap the tools step reads: two pools, the
# fields zheapstat's table shows, one value a file as sysfs has them.
fake_pool() {
	local dir=$1 f

	shift
	mkdir -p "$dir"
	for f; do
		echo "${f#*=}" >"$dir/${f%%=*}"
	done
}

tools_step() {
	local t="$pkg/tools" x="$pkg/tools/root" bin list want out rc page
	local man="usr/share/man/man1/zheapstat.1.gz"

	rm -rf "$t" && mkdir -p "$x"
	list=$(dpkg-deb -c "$tools_deb" | awk '{ print $6 }' | grep -v '/$')
	echo "$list"
	want="./usr/bin/zheapstat
./usr/share/doc/zheap-tools/changelog.gz
./usr/share/doc/zheap-tools/copyright
./$man"
	[ "$(sort <<<"$list")" = "$want" ]
	[ "$(dpkg-deb -f "$tools_deb" Architecture)" = "$arch" ]
	dpkg-deb -f "$tools_deb" Depends | grep -q 'libc6'
	[ "$(dpkg-deb -f "$pkg/src/zheap-dkms_${ver}_all.deb" Recommends)" = zheap-tools ]
	grep -q '^-rwxr-xr-x .* \./usr/bin/zheapstat$' <<<"$(dpkg-deb -c "$tools_deb")"

	# Hardening: the compile line in the build log (blhc), and what it
	# left in the binary.  gcc builds PIE by default here, so
	# dpkg-buildflags adds no -fPIE (blhc knows; --all would not).
	if command -v blhc >/dev/null; then
		blhc "$logs/deb.log"
		echo "blhc: clean"
	else
		echo "blhc: not installed (apt-get install blhc), binary checks only"
	fi
	dpkg-deb -x "$tools_deb" "$x"
	bin="$x/usr/bin/zheapstat"
	readelf -hW "$bin" | grep -q 'Type: *DYN'
	readelf -dW "$bin" | grep -q 'FLAGS_1.*NOW.*PIE'
	readelf -lW "$bin" | grep -q GNU_RELRO
	readelf -sW --dyn-syms "$bin" | grep -q '__stack_chk_fail'
	readelf -sW --dyn-syms "$bin" | grep -q '__[a-z]*printf_chk'

	# A fake /sys/kernel/zheap: 3000000 / 4096000 = 0.732 (0.7324...),
	# 50000 / 81920 = 0.610 (0.6103...).
	fake_pool "$t/sys/zswap0" name=zswap0 backend=zsmalloc consumer=zswap \
		objects=1000 \
		stored_bytes=3000000 pool_bytes=4096000 meta_bytes_per_object=24 \
		compactable_pages=3 pages_migrated=7
	fake_pool "$t/sys/zram0" name=zram0 backend=zbud consumer=zram objects=42 \
		stored_bytes=50000 pool_bytes=81920 meta_bytes_per_object=16 \
		compactable_pages=0 pages_migrated=0
	"$bin" --help >"$t/help"
	cat "$t/help"
	grep -q -- '--json' "$t/help"
	out=$("$bin" --root "$t/sys")
	echo "$out"
	[ "$(wc -l <<<"$out")" = 3 ]
	[ "$(awk 'NR == 1 { print $1, $3, $7 }' <<<"$out")" = \
		"NAME CONSUMER DENSITY" ]
	[ "$(awk '$1 == "zswap0" { print $2, $3, $4, $7, $8, $10 }' <<<"$out")" = \
		"zsmalloc zswap 1000 0.732 24 7" ]
	[ "$(awk '$1 == "zram0" { print $2, $3, $4, $7, $8, $10 }' <<<"$out")" = \
		"zbud zram 42 0.610 16 0" ]
	# -b: sizes in bytes, compactable pages times the page size.
	out=$("$bin" -b --root "$t/sys")
	echo "$out"
	page=$(getconf PAGESIZE)
	[ "$(awk '$1 == "zswap0" { print $5, $6, $9 }' <<<"$out")" = \
		"3000000 4096000 $((3 * page))" ]
	out=$("$bin" --json --root "$t/sys" | python3 -m json.tool)
	echo "$out"
	grep -q '"objects": 1000' <<<"$out"
	grep -q '"objects": 42' <<<"$out"
	grep -q '"backend": "zbud"' <<<"$out"
	grep -q '"consumer": "zram"' <<<"$out"
	# -v: every field, then the per-class detail where debugfs is
	# readable (a fake one for zram0 only), and a note for the rest.
	mkdir -p "$t/debug/zram0"
	printf 'free_grains pages\n0 3\n48 1\n' >"$t/debug/zram0/classes"
	out=$("$bin" -v --root "$t/sys" --debug-root "$t/debug" 2>"$t/v.err")
	echo "$out"
	cat "$t/v.err"
	grep -q '^zswap0 objects 1000$' <<<"$out"
	[ "$(grep ' classes ' <<<"$out")" = "zram0 classes free_grains pages
zram0 classes 0 3
zram0 classes 48 1" ]
	grep -q 'no per-class detail for 1 pool' "$t/v.err"
	# No zheap (no directory): 1.  Bad usage: 2.
	rc=0
	"$bin" --root "$t/none" || rc=$?
	echo "missing root: exit $rc"
	[ "$rc" = 1 ]
	for args in --bogus "extra" "-i 0" "-c 3" "-i x"; do
		rc=0
		# shellcheck disable=SC2086
		"$bin" $args --root "$t/sys" >/dev/null 2>&1 || rc=$?
		echo "zheapstat $args: exit $rc"
		[ "$rc" = 2 ]
	done

	# The man page as man shows it: rendered, and not a word on stderr.
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$x/$man" 2>"$t/man.err")
	cat "$t/man.err"
	[ ! -s "$t/man.err" ]
	grep -q '^NAME' <<<"$out"
	grep -q 'zheapstat - show zheap' <<<"$out"
	note "4 files; hardened; 2 pools, density 0.732 and 0.610, --json, -v with classes, exit 1 and 2; man page clean"
}

# The real postinst, but every dkms call goes to a stub that records it
# (and says 77, "not for this kernel", for -rt ones, as dkms.conf makes
# the real one do): what dkms would be asked to build, host untouched.
postinst() {
	local deb="$pkg/src/zheap-dkms_${ver}_all.deb" stub="$pkg/stub" want got b k

	rm -rf "$stub" && mkdir -p "$stub/bin" "$stub/ctl"
	dpkg-deb -e "$deb" "$stub/ctl"
	cat "$stub/ctl/postinst"
	sh -n "$stub/ctl/postinst"
	if grep -q '#ZHEAP_VERSION#' "$stub/ctl/postinst"; then
		echo "postinst: the version was not put in"
		return 1
	fi
	cat >"$stub/bin/dkms" <<-'EOF'
	#!/bin/sh
	echo "$*" >>"$ZHEAP_STUB_LOG"
	case "$1 $*" in install*-rt-*) exit 77 ;; esac
	exit 0
	EOF
	chmod +x "$stub/bin/dkms"
	PATH="$stub/bin:$PATH" DEBIAN_HAS_FRONTEND=1 \
		ZHEAP_STUB_LOG="$stub/dkms.log" sh "$stub/ctl/postinst" configure
	want=""
	for b in /lib/modules/6.12.*/build; do
		[ -e "$b/include" ] || continue
		k=${b%/build}
		want+="install -m zheap -v $ver -k ${k##*/}"$'\n'
	done
	got=$(grep '^install ' "$stub/dkms.log" || true)
	echo "asked: $got"
	[ -n "$want" ]
	[ "$got"$'\n' = "$want" ]
	note "$(wc -l <<<"$got") kernels: $(sed 's/.* -k //' <<<"$got" | paste -sd' ')"
}

dkms_args() {
	echo --dkmstree "$pkg/dkms" --sourcetree "$root/usr/src" \
		--installtree "$root/lib/modules"
}

dkms_build() {
	local deb="$pkg/src/zheap-dkms_${ver}_all.deb"

	rm -rf "$root" "$pkg/dkms"
	mkdir -p "$root" "$pkg/dkms" "$moddir" "$pkg/keys"
	dpkg-deb -x "$deb" "$root"
	# DKMS signs what it builds; its default key is /var/lib/dkms/mok.key.
	export mok_signing_key="$pkg/keys/mok.key"
	export mok_certificate="$pkg/keys/mok.pub"
	# shellcheck disable=SC2046
	dkms add -m zheap -v "$ver" $(dkms_args)
	# shellcheck disable=SC2046
	dkms build -m zheap -v "$ver" -k "$ZHEAP_KVER" $(dkms_args)
	# shellcheck disable=SC2046
	dkms install -m zheap -v "$ver" -k "$ZHEAP_KVER" --no-depmod $(dkms_args)
	# shellcheck disable=SC2046
	dkms status -m zheap $(dkms_args) | tee "$pkg/dkms.status"
	grep -q "zheap/$ver, $ZHEAP_KVER, x86_64: installed" "$pkg/dkms.status"
	[ "$(cd "$moddir/updates/dkms" && ls | sort | tr '\n' ' ')" = \
		"$(printf '%s.ko.xz\n' "${shipped[@]}" | sort | tr '\n' ' ')" ]
	[ "$(find "$moddir" -name '*.ko*' | wc -l)" = "${#shipped[@]}" ]
	note "$(cd "$moddir/updates/dkms" && echo *)"
}

dkms_rt() {
	local rt="${ZHEAP_KABI}-rt-amd64" rc=0

	if [ ! -e "/lib/modules/$rt/build/include" ]; then
		note "no $rt headers here, nothing to check"
		return 0
	fi
	export mok_signing_key="$pkg/keys/mok.key"
	export mok_certificate="$pkg/keys/mok.pub"
	# shellcheck disable=SC2046
	dkms build -m zheap -v "$ver" -k "$rt" $(dkms_args) || rc=$?
	echo "rc=$rc"
	[ "$rc" = 77 ]
	note "$rt skipped, exit 77"
}

depmod_step() {
	local deps

	# Debian's own modules of the kernel, beside ours, for depmod alone.
	ln -sfn "/lib/modules/$ZHEAP_KVER/kernel" "$moddir/kernel"
	cp "/lib/modules/$ZHEAP_KVER"/modules.{builtin,builtin.modinfo,order} \
		"$moddir/"
	deps=$(depmod -b "$root" -e -E "$ZHEAP_KDIR/Module.symvers" \
		"$ZHEAP_KVER" 2>&1)
	echo "$deps"
	[ -z "$deps" ]
	grep '^updates/' "$moddir/modules.dep"
	note "$(grep -c '^updates/dkms/' "$moddir/modules.dep") modules of ours in modules.dep"
}

# want ALIAS MODULE...: modprobe resolves ALIAS to exactly these files
# of updates/dkms, in this order, after those of Debian's it needs.
want() {
	local alias=$1 got exp="" m

	shift
	got=$(modprobe -d "$root" -S "$ZHEAP_KVER" --show-depends "$alias")
	echo "$alias:"
	echo "$got"
	for m; do
		exp+="insmod $moddir/updates/dkms/$m.ko.xz "$'\n'
	done
	[ "$(grep "/updates/" <<<"$got")"$'\n' = "$exp" ] &&
		! grep -qv "^insmod $moddir/" <<<"$got"
}

resolve() {
	want zheap-backend-zbud zheap zheap_zbud
	want zheap-backend-zsmalloc zheap zheap_zsmalloc
	want zheap_zbud zheap zheap_zbud
	want zheap_zram zheap zheap_zram
	# zram's compressors come from Debian's tree.
	modprobe -d "$root" -S "$ZHEAP_KVER" --show-depends zheap_zram |
		grep -q "kernel/lib/lz4/lz4_compress.ko"
	note "zheap-backend-zbud: zheap.ko.xz then zheap_zbud.ko.xz"
}

# The files of dist/ as the package installs them (debian/zheap-dkms.install).
dist_files=(
	"./etc/default/zheap"
	"./lib/systemd/system/zheap-zswap.service"
	"./usr/libexec/zheap/zheap-zswap"
	"./usr/share/zheap/zheap-zram.conf"
)

unit_step() {
	local ctl="$pkg/unit-ctl" out

	rm -rf "$ctl"
	dpkg-deb -e "$pkg/src/zheap-dkms_${ver}_all.deb" "$ctl"

	# --root: the unit and the helper it runs as the package installs
	# them; systemd-analyze only parses, starts nothing.
	out=$(cd / && systemd-analyze verify --man=no --root="$root" \
		zheap-zswap.service 2>&1) || {
		echo "$out"
		return 1
	}
	echo "verify: ${out:-(nothing)}"
	[ -z "$out" ]
	grep -qx 'WantedBy=sysinit.target' \
		"$root/lib/systemd/system/zheap-zswap.service"
	# dh_installsystemd --no-enable --no-start --no-stop-on-upgrade: the
	# postinst re-enables only a unit that was enabled, starts nothing;
	# no stop on upgrade; the one stop is prerm's, on removal.
	cat "$ctl/postinst" "$ctl/prerm"
	if [ -e "$ctl/preinst" ]; then
		echo "unit: a preinst (dh's stop on upgrade?)"
		cat "$ctl/preinst"
		return 1
	fi
	if grep -n 'deb-systemd-invoke' "$ctl/postinst"; then
		echo "unit: a maintainer script starts or stops zheap-zswap"
		return 1
	fi
	grep -q "was-enabled 'zheap-zswap.service'" "$ctl/postinst"
	[ "$(grep -c 'deb-systemd-invoke' "$ctl/prerm")" = 1 ]
	grep -q '"[$]1" = remove .*/run/systemd/system' "$ctl/prerm"
	note "verify clean; not enabled or started by the package"
}

# A modprobe for the scripts under test, first in PATH (and put in for
# /sbin/modprobe): it logs its arguments and answers from
# $ZHEAP_STUB_ROOT's modules of $ZHEAP_KVER with --show-depends, so it
# loads nothing; -q and -n are dropped, -r only logged.
# ZHEAP_STUB_BREAK=FILE: a load turns FILE into a directory, which
# refuses writes.
stub_modprobe() {
	local bin="$pkg/stub-modprobe"

	rm -rf "$bin" && mkdir -p "$bin"
	cat >"$bin/modprobe" <<-'EOF'
	#!/bin/sh
	echo "modprobe $*" >>"$ZHEAP_STUB_LOG"
	args=
	for a; do
		case $a in
		-q) ;;
		-n) dry=1 ;;
		-r) exit 0 ;;
		*) args="$args $a" ;;
		esac
	done
	# A stand-in file that a load makes unwritable (a directory).
	if [ -z "${dry:-}" ] && [ -n "${ZHEAP_STUB_BREAK:-}" ]; then
		rm -f "$ZHEAP_STUB_BREAK" && mkdir "$ZHEAP_STUB_BREAK"
	fi
	# shellcheck disable=SC2086
	exec /sbin/modprobe -d "$ZHEAP_STUB_ROOT" -S "$ZHEAP_KVER" \
		-C "$ZHEAP_STUB_CONF" --show-depends $args >>"$ZHEAP_STUB_LOG" 2>&1
	EOF
	chmod +x "$bin/modprobe"
	echo "$bin"
}

zswap_helper() {
	local bin t="$pkg/zswap" helper="$root/usr/libexec/zheap/zheap-zswap" rc

	bin=$(stub_modprobe)
	rm -rf "$t" && mkdir -p "$t/params" "$t/conf"
	[ -x "$helper" ]
	sh -n "$helper"
	# [cmd=C] [stub_root=DIR] run [VAR=VALUE...]: the helper's command C
	# with these settings, on $t/params for /sys/module/zswap/parameters
	# and modprobe answering from DIR (default: the private tree).
	run() {
		rm -f "$t/log"
		env PATH="$bin:$PATH" ZHEAP_STUB_LOG="$t/log" \
			ZHEAP_STUB_ROOT="${stub_root:-$root}" ZHEAP_STUB_CONF="$t/conf" \
			ZHEAP_ZSWAP_PARAMS="$t/params" RUNTIME_DIRECTORY="$t/run" \
			"$@" sh "$helper" "${cmd:?}"
	}
	params() { echo "$(cat "$t/params/zpool") $(cat "$t/params/enabled")"; }
	# loaded ALIAS: the modules "modprobe ALIAS" (no -n) would insert.
	loaded() {
		sed -n "/^modprobe $1\$/,\$p" "$t/log" | awk '/^insmod/ { print $2 }' |
			sed 's|.*/||' | paste -sd' '
	}
	echo zsmalloc >"$t/params/zpool"
	echo N >"$t/params/enabled"

	# Defaults: zsmalloc, and zswap turned on; stop gives back both.
	cmd=start run
	cat "$t/log"
	[ "$(params)" = "zheap_zsmalloc Y" ]
	[ "$(loaded zheap-backend-zsmalloc)" = "zheap.ko.xz zheap_zsmalloc.ko.xz" ]
	[ "$(cat "$t/run/zpool" "$t/run/enabled" | paste -sd' ')" = "zsmalloc N" ]
	cmd=stop run
	[ "$(params)" = "zsmalloc N" ]
	[ ! -e "$t/run/zpool" ]
	cmd=stop run		# nothing saved: nothing to do
	[ "$(params)" = "zsmalloc N" ]
	# zbud, zswap left off.
	cmd=start run ZHEAP_ZSWAP_BACKEND=zbud ZHEAP_ZSWAP_ENABLE=no
	[ "$(params)" = "zheap_zbud N" ]
	[ "$(loaded zheap-backend-zbud)" = "zheap.ko.xz zheap_zbud.ko.xz" ]
	cmd=stop run
	[ "$(params)" = "zsmalloc N" ]
	# Bad settings and a backend that is not there fail the unit (255).
	for bad in ZHEAP_ZSWAP_BACKEND=Zbud ZHEAP_ZSWAP_BACKEND=zsmaloc \
			ZHEAP_ZSWAP_ENABLE=maybe; do
		rc=0
		cmd=check run "$bad" || rc=$?
		echo "$bad: check exits $rc"
		[ "$rc" = 255 ]
	done
	# A kernel without zheap (Debian's own tree): skipped (1), untouched.
	rc=0
	stub_root=/ cmd=check run || rc=$?
	echo "no zheap: check exits $rc"
	[ "$rc" = 1 ]
	# A write zswap refuses (enabled, after zpool): start fails, and stop
	# (ExecStopPost=, which runs after a failed start too) gives the
	# zpool back.
	rc=0
	cmd=start run ZHEAP_STUB_BREAK="$t/params/enabled" || rc=$?
	echo "refused write: start exits $rc"
	[ "$rc" = 1 ]
	[ "$(cat "$t/params/zpool")" = zheap_zsmalloc ]
	rc=0
	cmd=stop run || rc=$?
	echo "refused write: stop exits $rc"
	[ "$rc" = 1 ]		# enabled is refused again, and says so
	[ "$(cat "$t/params/zpool")" = zsmalloc ]
	[ ! -e "$t/run/zpool" ]
	note "start, stop, zbud, bad settings (255), no zheap (1), a refused write undone"
}

zram_conf() {
	local bin t="$pkg/zram" conf="$root/usr/share/zheap/zheap-zram.conf"
	local got cmd

	bin=$(stub_modprobe)
	rm -rf "$t" && mkdir -p "$t/conf" "$t/none" "$t/sys/module"
	cp "$conf" "$t/conf/"
	mp() { modprobe -d "$root" -S "$ZHEAP_KVER" "$@"; }
	# Without the file, zram is Debian's.
	got=$(mp -C "$t/none" --show-depends zram)
	echo "$got"
	grep -q "^insmod $moddir/kernel/drivers/block/zram/zram.ko" <<<"$got"
	# With it: parsed as written, and zram becomes its install command.
	got=$(mp -C "$t/conf" --show-config | grep -E '^(install|remove|options|alias|blacklist|softdep) (zram|zheap)( |$)')
	echo "$got"
	[ "$(cut -d' ' -f1,2 <<<"$got" | sort | paste -sd,)" = \
		"install zram,options zheap,remove zram" ]
	grep -qx 'options zheap backend=zsmalloc' <<<"$got"
	got=$(mp -C "$t/conf" --show-depends zram)
	echo "$got"
	grep -q '^install .*--ignore-install zheap_zram [$]CMDLINE_OPTS' <<<"$got"
	if grep -q 'zram/zram.ko' <<<"$got"; then
		echo "zram-conf: modprobe zram still inserts Debian's zram.ko"
		return 1
	fi
	# What the install command loads: zheap with the backend, zheap_zram.
	got=$(mp -C "$t/conf" --show-depends --ignore-install zheap_zram)
	echo "$got"
	[ "$(grep /updates/ <<<"$got")" = "insmod $moddir/updates/dkms/zheap.ko.xz backend=zsmalloc 
insmod $moddir/updates/dkms/zheap_zram.ko.xz " ]
	# The commands run, as kmod runs them (sh -c, $CMDLINE_OPTS put in),
	# with the stub for /sbin/modprobe and $t/sys for /sys.
	cmdof() {
		mp -C "$t/conf" --show-config | sed -n "s/^$1 zram //p" |
			sed -e 's/[$]CMDLINE_OPTS/num_devices=2/g' \
				-e "s|/sbin/modprobe|$bin/modprobe|g" \
				-e "s|/sys/module/|$t/sys/module/|g"
	}
	run() {
		rm -f "$t/log"
		env ZHEAP_STUB_LOG="$t/log" ZHEAP_STUB_ROOT="$1" \
			ZHEAP_STUB_CONF="$t/conf" sh -c "$2" 2>"$t/err"
		cat "$t/log" "$t/err"
	}
	# logged LINE: the stub logged LINE (kmod ends some with a space, and
	# writes //lib/... for -d /).
	logged() { sed -e 's/ *$//' -e 's|//*|/|g' "$t/log" | grep -qxF "$1"; }
	cmd=$(cmdof install)
	run "$root" "$cmd"
	logged "insmod $moddir/updates/dkms/zheap_zram.ko.xz num_devices=2"
	logged "insmod $moddir/updates/dkms/zheap.ko.xz backend=zsmalloc"
	[ ! -s "$t/err" ]
	# A kernel without zheap_zram: Debian's zram, with a word on stderr.
	run / "$cmd"
	logged "insmod /lib/modules/$ZHEAP_KVER/kernel/drivers/block/zram/zram.ko.xz num_devices=2"
	grep -q 'no zheap_zram' "$t/err"
	cmd=$(cmdof remove)
	mkdir "$t/sys/module/zheap_zram"
	run "$root" "$cmd"
	logged "modprobe -r zheap_zram"
	rmdir "$t/sys/module/zheap_zram"
	run "$root" "$cmd"
	logged "modprobe -r --ignore-remove zram"
	note "zram: install command -> zheap.ko backend=zsmalloc + zheap_zram.ko; Debian's zram without zheap_zram"
}

modinfo_step() {
	local m ko field parm

	for m in "${shipped[@]}"; do
		ko="$moddir/updates/dkms/$m.ko.xz"
		modinfo "$ko"
		for field in description license vermagic signer; do
			[ -n "$(modinfo -F "$field" "$ko")" ] || {
				echo "$m: no $field"
				return 1
			}
		done
		modinfo -F vermagic "$ko" | grep -q "^$ZHEAP_KVER "
		[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ]
		# parm lines are "name:description (type)".
		while IFS= read -r parm; do
			[ -z "$parm" ] && continue
			case ${parm#*:} in
			"" | " ("*) echo "$m: parameter ${parm%%:*} undescribed"; return 1 ;;
			esac
		done < <(modinfo -F parm "$ko")
		# zheap_zram is zram's own, unmodified, and carries no version.
		[ "$m" = zheap_zram ] && continue
		[ "$(modinfo -F version "$ko")" = "$ver" ] || {
			echo "$m: version $(modinfo -F version "$ko"), want $ver"
			return 1
		}
	done
	note "version $ver, signed by DKMS's key"
}

make_default() {
	local config

	config=$(make -s -C "$src" \
		--eval='zheap-config: ; @echo $(ZHEAP_CONFIG)' zheap-config)
	echo "$config"
	grep -q 'CONFIG_ZHEAP_BENCH=m' <<<"$config"
	grep -q 'CONFIG_ZHEAP_STRESS=m' <<<"$config"
	config=$(make -s -C "$src" ZHEAP_DIST=1 \
		--eval='zheap-config: ; @echo $(ZHEAP_CONFIG)' zheap-config)
	echo "$config"
	! grep -q 'BENCH\|STRESS' <<<"$config"
}

make_install() {
	local got exp

	# A module tree as a kernel package leaves it, for depmod.
	rm -rf "$inst"
	mkdir -p "$inst/lib/modules/$ZHEAP_KVER"
	cp "/lib/modules/$ZHEAP_KVER"/modules.{builtin,builtin.modinfo,order} \
		"$inst/lib/modules/$ZHEAP_KVER/"
	make -C "$src" install DESTDIR="$inst"
	got=$(cd "$inst" && find . -name '*.ko*' | sort)
	exp=$(printf "./lib/modules/$ZHEAP_KVER/updates/%s.ko.xz\n" "${shipped[@]}" | sort)
	echo "installed: $got"
	[ "$got" = "$exp" ]
	for m in zheap_bench zheap_stress zheap_wb_stress; do
		[ ! -e "$src/$m.ko" ] || { echo "$m.ko was built"; return 1; }
	done
	got=$(modprobe -d "$inst" -S "$ZHEAP_KVER" --show-depends zheap-backend-zbud)
	echo "$got"
	[ "$got" = "insmod $inst/lib/modules/$ZHEAP_KVER/updates/zheap.ko.xz 
insmod $inst/lib/modules/$ZHEAP_KVER/updates/zheap_zbud.ko.xz " ]
	make -C "$src" uninstall DESTDIR="$inst"
	[ -z "$(find "$inst" -name '*.ko*')" ]
	if grep -q zheap "$inst/lib/modules/$ZHEAP_KVER/modules.dep"; then
		echo "uninstall: modules.dep still names zheap"
		return 1
	fi
	note "4 modules under updates/, resolved, uninstalled"
}

host() {
	host_state >"$pkg/host.after"
	diff "$pkg/host.before" "$pkg/host.after"
}

missing=()
for tool in dpkg-buildpackage dh dh_dkms lintian dkms depmod modprobe modinfo \
		systemd-analyze readelf man python3; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "package: missing ${missing[*]}: apt-get install dkms dh-dkms" \
		"debhelper lintian (scripts/setup.sh's list)" >&2
	exit 1
fi

mkdir -p "$logs"
host_state >"$pkg/host.before"

step copy copy
if [ "$ok" = 1 ]; then step deb deb; fi
if [ "$ok" = 1 ]; then
	step lintian lintian_step
	step contents contents
	step tools tools_step
	step postinst postinst
	step dkms-build dkms_build
	if [ "$ok" = 1 ]; then
		step dkms-rt dkms_rt
		step unit unit_step
		step depmod depmod_step
		if [ "$ok" = 1 ]; then
			step resolve resolve
			step zswap-helper zswap_helper
			step zram-conf zram_conf
		fi
		step modinfo modinfo_step
		# The published tree leaves Debian's kernel/ out (see the top).
		rm -f "$moddir/kernel"
	fi
	step make-default make_default
	step make-install make_install
fi
step host host

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
