#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install (idempotently) everything zheap needs on Debian 12 and prepare the
# kernel caches outside the repository:
#   - Debian's 6.12 kernel image + headers (the QEMU guest kernel and the
#     out-of-tree build target), the -rt flavour's headers (lint checks
#     that zheap refuses to build there), linux-source-6.12 (UML kunit builds,
#     checkpatch, coccicheck), QEMU, busybox, sparse, coccinelle and the
#     kernel build dependencies, and what scripts/package.sh builds and
#     checks the packages with (dkms, dh-dkms, debhelper, lintian, blhc,
#     man-db and binutils for the man page and the binary), and Sphinx
#     for make htmldocs;
#   - the linux-source-6.12 tree unpacked under $ZHEAP_CACHE/src.
#
# Everything is cached under $ZHEAP_CACHE (default /var/cache/zheap), so a
# second run only checks that it is there.
set -euo pipefail

. "$(dirname "$0")/env.sh"

log() { printf 'setup: %s\n' "$*" >&2; }

need_apt=0
stamp="$ZHEAP_CACHE/apt-$ZHEAP_KABI-v8.stamp"
mkdir -p "$ZHEAP_CACHE"

if [ ! -f "$stamp" ]; then
	need_apt=1
fi

if [ "$need_apt" = 1 ]; then
	log "installing packages for $ZHEAP_KABI (once)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	pkgs=(
		"linux-image-${ZHEAP_KABI}-amd64-unsigned"
		"linux-headers-${ZHEAP_KABI}-amd64"
		"linux-headers-${ZHEAP_KABI}-rt-amd64"
		"linux-source-6.12=${ZHEAP_DEBVER}"
		qemu-system-x86 busybox-static sparse coccinelle
		bc flex bison libelf-dev libssl-dev python3 make gcc
		cpio xz-utils kmod e2fsprogs ocaml-nox gnuplot-nox
		dkms dh-dkms debhelper lintian blhc man-db binutils
		python3-sphinx
	)
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
	touch "$stamp"
fi

# Unpack linux-source once.
if [ ! -f "$ZHEAP_SRC/.zheap-unpacked" ]; then
	log "unpacking linux-source-6.12 into $ZHEAP_SRC"
	rm -rf "$ZHEAP_SRC" "$ZHEAP_CACHE/src.tmp"
	mkdir -p "$ZHEAP_CACHE/src.tmp"
	tar -C "$ZHEAP_CACHE/src.tmp" -xf /usr/src/linux-source-6.12.tar.xz
	mkdir -p "$(dirname "$ZHEAP_SRC")"
	mv "$ZHEAP_CACHE"/src.tmp/linux-source-6.12 "$ZHEAP_SRC"
	rmdir "$ZHEAP_CACHE/src.tmp"
	touch "$ZHEAP_SRC/.zheap-unpacked"
fi
log "ready: kernel $ZHEAP_KVER, source $ZHEAP_SRC"
