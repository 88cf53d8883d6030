#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaging check: the Debian DKMS package and make install, each
# step pass or fail, without changing the host (no dpkg -i, nothing
# written under /lib/modules or /var/lib/dkms):
#   copy         the working tree (tracked and untracked files, no build
#                products) into $ZHEAP_CACHE/pkg/src/zheap
#   deb          dpkg-buildpackage -b -us -uc there: zheap-dkms_<v>_all.deb
#   lintian      lintian on the .changes (with the .buildinfo) and the
#                .deb: no E: or W: tag
#   contents     the .deb holds zheap's module sources, zram's, dkms.conf
#                naming exactly the four shipped modules, and no test,
#                bench or stress file
#   postinst     the package's postinst, run with a stub dkms first in
#                PATH, asks for every 6.12 kernel with headers here
#   dkms-build   the .deb unpacked into a private root; dkms add, build
#                and install (--dkmstree, --sourcetree, --installtree,
#                --no-depmod, a private signing key) for $ZHEAP_KVER
#   dkms-rt      dkms build for the -rt kernel exits 77 (skipped), if its
#                headers are here
#   depmod       depmod -b on the private root, with Debian's modules of
#                $ZHEAP_KVER beside ours: no unknown symbol
#   resolve      modprobe -d resolves zheap-backend-zbud, -zsmalloc and
#                zheap_zram to the DKMS modules and their dependencies
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
	note "zheap-dkms_${ver}_all.deb"
}

lintian_step() {
	local changes out

	changes=$(ls "$pkg"/src/zheap_"${ver}"_*.changes)
	out=$(lintian --display-info --fail-on error,warning "$changes" \
		"$pkg/src/zheap-dkms_${ver}_all.deb") || {
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
			zpool/pool.c zbud/zbud.c zsmalloc/zsmalloc.c; do
		grep -qx "./usr/src/zheap-$ver/$f" <<<"$list" || {
			echo "contents: usr/src/zheap-$ver/$f missing"
			return 1
		}
	done
	conf=$(dpkg-deb --fsys-tarfile "$deb" |
		tar -xOf - "./usr/src/zheap-$ver/dkms.conf")
	grep -qx "PACKAGE_VERSION=\"$ver\"" <<<"$conf"
	[ "$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' <<<"$conf" |
		sort | tr '\n' ' ')" = "$(printf '%s\n' "${shipped[@]}" | sort |
		tr '\n' ' ')" ]
	note "$(wc -l <<<"$list") entries, dkms.conf $ver with ${#shipped[*]} modules"
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
for tool in dpkg-buildpackage dh dh_dkms lintian dkms depmod modprobe modinfo; do
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
	step postinst postinst
	step dkms-build dkms_build
	if [ "$ok" = 1 ]; then
		step dkms-rt dkms_rt
		step depmod depmod_step
		if [ "$ok" = 1 ]; then step resolve resolve; fi
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
