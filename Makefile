# SPDX-License-Identifier: GPL-2.0
#
# zheap: out-of-tree build for Debian's 6.12 kernel, plus the project's
# targets.  The kernel build itself reads Kbuild; this file is only for
# people.
#
#   make            build zheap.ko, the backend modules (zheap_zbud.ko,
#                   zheap_zsmalloc.ko), zheap_zram.ko and the bench and
#                   stress modules against Debian's headers
#   make setup      install packages and unpack linux-source (idempotent)
#   make run        boot the QEMU guest and push a zswap workload through zheap
#   make check      every test: the harness's own test, W=1+sparse,
#                   checkpatch, kernel-doc, coccicheck, the layer and
#                   stats-doc checks, KUnit (plain and debug UML), the
#                   QEMU scenarios, a short bench and the end-to-end run
#   make lint       only the static checks
#   make kunit      only the KUnit suites (plain and debug)
#   make qemu-test  only the QEMU scenarios
#   make bench      the allocator benchmark in the QEMU guest: zheap's
#                   backends against the kernel's zsmalloc, same boot; then
#                   the end-to-end one (zswap and zram, every allocator),
#                   whose plot goes to Documentation/e2e.{svg,png}, zswap
#                   at its pool limit (Documentation/limit.{svg,png}) and
#                   the exit of swapped-out processes
#   make stress     the stress runs (also in qemu-test), then the race
#                   venue: every worker and racer at once on 2 vCPUs for
#                   60 s (ZHEAP_RACE_SECS=1800 ZHEAP_QEMU_SMP=4 for the
#                   long form; ZHEAP_GUEST=debug on the debug kernel)
#   make install    build only the shipped modules (ZHEAP_DIST=1) and
#                   install them to /lib/modules/$(KVER)/updates, then
#                   depmod; DESTDIR= or INSTALL_MOD_PATH= install elsewhere
#   make uninstall  remove them again, then depmod
#   make package    the Debian DKMS package: built, lintian, built through
#                   DKMS into a private tree, resolved by modprobe -d
#   make zheapstat  build tools/zheapstat, zheap's pools at a glance
#   make clean
#
# ZHEAP_DIST=1 builds only what a package ships: zheap.ko, zheap_zbud.ko,
# zheap_zsmalloc.ko and zheap_zram.ko, never the bench, stress or KUnit
# modules.  KVER= and KDIR= pick another kernel (DKMS passes both).

# Inside kbuild both KERNELRELEASE and src are set (and kbuild reads
# Kbuild, not this file).  DKMS puts KERNELRELEASE= on our own command
# line too, so KERNELRELEASE alone does not tell.
ifneq ($(and $(KERNELRELEASE),$(src)),)
include $(src)/Kbuild
else

ZHEAP_ENV := . $(CURDIR)/scripts/env.sh
KVER ?= $(shell $(ZHEAP_ENV); echo $$ZHEAP_KVER)
KDIR ?= /lib/modules/$(KVER)/build
ZHEAP_CONFIG := CONFIG_ZHEAP=m CONFIG_ZHEAP_ZBUD=m CONFIG_ZHEAP_ZSMALLOC=m
ifeq ($(ZHEAP_DIST),)
ZHEAP_CONFIG += CONFIG_ZHEAP_STRESS=m \
		CONFIG_ZHEAP_BENCH=m
endif
# zheap_zram.ko: zram's sources from linux-source-6.12, never edited.  In
# this tree they are copied from the unpacked linux-source-6.12 (make
# setup) into zram/ at each build; without them zheap_zram is skipped,
# except that ZHEAP_DIST=1 stops.  A source package (DKMS's
# /usr/src/zheap-*) carries them in zram/, with zram/SOURCE saying where
# they come from, and needs no linux-source.  ZHEAP_NO_ZRAM=1 leaves
# zheap_zram out (the static checks do: it is not our code).
ZRAM_BUNDLED := $(wildcard zram/SOURCE)
ifeq ($(ZRAM_BUNDLED),)
ZRAM_SRC := $(shell $(ZHEAP_ENV); echo $$ZHEAP_SRC)/drivers/block/zram
ZRAM_FOUND := $(wildcard $(ZRAM_SRC)/zram_drv.c)
else
ZRAM_FOUND := $(wildcard zram/zram_drv.c)
endif
ifeq ($(ZHEAP_NO_ZRAM),)
ifneq ($(ZRAM_FOUND),)
ZHEAP_ZRAM := 1
ZHEAP_CONFIG += CONFIG_ZHEAP_ZRAM=m
endif
endif

# make install: the kernel's modules_install puts what modules.order
# lists (the ZHEAP_DIST build's four) under $(INSTALL_MOD_PATH)/lib/
# modules/$(KVER)/updates, xz-compressed as Debian's kernel wants.  It
# cannot sign them (Debian's signing key stays with Debian) and would
# say so on every module, so it is not asked to; Secure Boot needs the
# DKMS package, which signs with DKMS's MOK key.  Its depmod needs a
# System.map the headers lack, so depmod runs here.
INSTALL_MOD_PATH ?= $(DESTDIR)
ZHEAP_MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)
ZHEAP_DIST_MODULES := zheap zheap_zbud zheap_zsmalloc zheap_zram
DEPMOD ?= depmod

.PHONY: all modules zheapstat install uninstall setup run check lint kunit qemu-test \
	bench stress package htmldocs clean

all: modules

modules:
ifneq ($(ZHEAP_DIST),)
ifeq ($(ZHEAP_ZRAM)$(ZHEAP_NO_ZRAM),)
	@echo "zheap: ZHEAP_DIST=1 ships zheap_zram.ko, but zram's sources are" \
		"missing: run make setup (linux-source-6.12), or ZHEAP_NO_ZRAM=1" >&2
	@exit 1
endif
endif
ifneq ($(ZHEAP_ZRAM),)
ifeq ($(ZRAM_BUNDLED),)
	mkdir -p zram && cp -u $(ZRAM_SRC)/*.[ch] zram/
endif
endif
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(ZHEAP_CONFIG) modules

install:
	$(MAKE) modules ZHEAP_DIST=1
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

uninstall:
	rm -f $(foreach m,$(ZHEAP_DIST_MODULES),$(ZHEAP_MODDIR)/updates/$(m).ko*)
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

setup:
	bash scripts/setup.sh

run: setup
	bash scripts/qemu.sh run

check: setup
	bash scripts/check.sh

lint: setup
	bash scripts/lint.sh

# Both flavours run; either failing fails the target.
kunit: setup
	rc=0; bash scripts/kunit.sh plain || rc=1; \
	bash scripts/kunit.sh debug || rc=1; exit $$rc

qemu-test: setup
	bash scripts/qemu.sh test

bench: setup
	bash scripts/qemu.sh bench
	bash scripts/qemu.sh e2e
	bash scripts/qemu.sh limit
	bash scripts/qemu.sh exit

stress: setup
	bash scripts/qemu.sh stress
	bash scripts/qemu.sh race

package: setup
	bash scripts/package.sh

# Documentation/ as HTML, in $(ZHEAP_CACHE)/htmldocs (scripts/htmldocs.sh)
htmldocs: setup
	bash scripts/htmldocs.sh

# zheapstat, the pools at a glance (tools/zheapstat.c, tools/zheapstat.1)
zheapstat: tools/zheapstat
tools/zheapstat: tools/zheapstat.c
	$(CC) -O2 -Wall -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

endif
