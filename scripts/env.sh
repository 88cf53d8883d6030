# SPDX-License-Identifier: GPL-2.0
# Shared settings for zheap's scripts; sourced, not run.
#
# The kernel series is pinned to 6.12 as Debian 12 ships it (bookworm-security).
# ZHEAP_DEBVER picks one release of that series; override it to move on.
: "${ZHEAP_CACHE:=/var/cache/zheap}"
: "${ZHEAP_DEBVER:=6.12.117-1~deb12u1}"
ZHEAP_UPSTREAM=${ZHEAP_DEBVER%%-*}
ZHEAP_KABI="${ZHEAP_UPSTREAM}+deb12"
ZHEAP_KVER="${ZHEAP_KABI}-amd64"
ZHEAP_SRC="$ZHEAP_CACHE/src/linux-source-6.12"
ZHEAP_KDIR="/usr/src/linux-headers-${ZHEAP_KVER}"
ZHEAP_VMLINUZ="/boot/vmlinuz-${ZHEAP_KVER}"
ZHEAP_MODDIR="/lib/modules/${ZHEAP_KVER}"
export ZHEAP_CACHE ZHEAP_DEBVER ZHEAP_UPSTREAM ZHEAP_KABI ZHEAP_KVER ZHEAP_SRC \
	ZHEAP_KDIR ZHEAP_VMLINUZ ZHEAP_MODDIR
