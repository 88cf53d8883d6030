#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug guest kernel of the QEMU venue (ZHEAP_GUEST=debug
# scripts/qemu.sh): x86_64, from the unpacked linux-source-6.12 tree
# ($ZHEAP_SRC), with KASAN, lockdep, DEBUG_VM, DEBUG_LIST, DEBUG_PAGEALLOC,
# KFENCE and SLUB debugging, so that the kernel itself reports what zheap
# does wrong under zswap and zram.
#
#   scripts/guest_kernel.sh
#
# The config is tinyconfig + kvm_guest.config (the smallest base that
# boots the guest: x86_64_defconfig under the same fragment comes out with
# 1333 options built in against 731, DRM, sound, USB, ATA and SCSI among
# them) with tests/qemu/guest-debug.config merged over it, then make
# olddefconfig.
# Every option the fragment asks for must come out of olddefconfig as
# asked, or the script fails naming it.
#
# Everything is built with O=$ZHEAP_CACHE/guest-debug: the source tree is
# left as make O= leaves it (untouched), since kunit.sh builds UML from
# the same tree with its own O= directories, at the same time, and Kbuild
# refuses O= builds from a tree that is not clean.  The modules are
# installed, stripped and uncompressed, under guest-debug/mods, for
# scripts/qemu.sh's initramfs.
#
# Cached: a stamp in the output directory holds a hash of the base, the
# fragment, the source release and the functions below that make the
# kernel; when it matches, nothing is built (a few seconds).  A changed
# fragment rebuilds incrementally.
#
# Prints the kernel release and where the bzImage and the modules are.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

src=$ZHEAP_SRC
out="$ZHEAP_CACHE/guest-debug"
frag="$here/tests/qemu/guest-debug.config"
base=(tinyconfig kvm_guest.config)
stamp="$out/.zheap-guest.stamp"
buildlog="$out/build.log"
bzimage="$out/arch/x86/boot/bzImage"
mods="$out/mods"

log() { printf 'guest_kernel: %s\n' "$*" >&2; }

# ARCH=x86_64 every time: with ARCH=x86 (the default) 64BIT becomes a
# question, and a config made one way is not the other's.
kmake() { make -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" "$@"; }

# The config from scratch: the base, then the fragment over it
# (merge_config.sh makes its temporary files in the current directory:
# $out, not the tree).  Its steps and build()'s are chained with &&: they
# run under "if !", where set -e stops nothing.
configure() {
	kmake "${base[@]}" &&
		(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
			"$out/.config" "$frag") &&
		kmake olddefconfig
}

# Every line of the fragment as olddefconfig left it: "CONFIG_X=v" must be
# there as written, "# CONFIG_X is not set" must not be y or m.
check_config() {
	local line sym want got bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			want=${line#*=}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			want=n
			;;
		*) continue ;;
		esac
		got=$(sed -n "s/^$sym=//p" "$out/.config")
		: "${got:=n}"
		if [ "$got" != "$want" ]; then
			log "$sym: the fragment asks for $want, .config has $got"
			bad=1
		fi
	done < "$frag"
	return $bad
}

build() {
	kmake bzImage modules && rm -rf "$mods" &&
		kmake modules_install INSTALL_MOD_PATH="$mods" INSTALL_MOD_STRIP=1
}

release() { cat "$out/include/config/kernel.release"; }

report() {
	echo "guest_kernel: release $(release)"
	echo "guest_kernel: bzImage $bzimage"
	echo "guest_kernel: modules $mods/lib/modules/$(release)"
}

for f in Makefile scripts/kconfig/merge_config.sh kernel/configs/kvm_guest.config; do
	[ -f "$src/$f" ] || { log "no $src/$f (run scripts/setup.sh)"; exit 1; }
done
if [ -e "$src/.config" ] || [ -d "$src/include/config" ]; then
	log "$src has been configured in place; O= builds need it clean (make mrproper there)"
	exit 1
fi

mkdir -p "$out"
# One build at a time in $out (qemu.sh runs may overlap).
exec 9>"$out/.lock"
flock 9

key=$({
	echo "base: ${base[*]}"
	echo "source: $ZHEAP_DEBVER"
	grep -E '^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) =' "$src/Makefile"
	gcc --version | head -n 1
	declare -f kmake configure check_config build
	cat "$frag"
} | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$bzimage" ] &&
   [ -d "$mods/lib/modules/$(release)" ]; then
	report
	exit 0
fi

log "building the debug guest kernel in $out (log: $buildlog)"
rm -f "$stamp"
start=$SECONDS
if ! { configure && check_config; } >"$buildlog" 2>&1; then
	grep '^guest_kernel:' "$buildlog" >&2 || tail -n 40 "$buildlog" >&2
	log "config failed"
	exit 1
fi
if ! build >>"$buildlog" 2>&1; then
	grep -E 'error|Error' "$buildlog" | head -n 20 >&2
	tail -n 20 "$buildlog" >&2
	log "build failed (log: $buildlog)"
	exit 1
fi
echo "$key" > "$stamp"
log "built in $((SECONDS - start)) s"
report
