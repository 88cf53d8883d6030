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
#                   whose plot goes to Documentation/e2e.{svg,png}
#   make stress     the stress runs (also in qemu-test), then the race
#                   venue: every worker and racer at once on 2 vCPUs for
#                   60 s (ZHEAP_RACE_SECS=1800 ZHEAP_QEMU_SMP=4 for the
#                   long form; ZHEAP_GUEST=debug on the debug kernel)
#   make clean

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

ZHEAP_ENV := . $(CURDIR)/scripts/env.sh
KVER ?= $(shell $(ZHEAP_ENV); echo $$ZHEAP_KVER)
KDIR ?= /lib/modules/$(KVER)/build
ZHEAP_CONFIG := CONFIG_ZHEAP=m CONFIG_ZHEAP_ZBUD=m CONFIG_ZHEAP_ZSMALLOC=m \
		CONFIG_ZHEAP_STRESS=m \
		CONFIG_ZHEAP_BENCH=m
# zheap_zram.ko: zram's sources from the unpacked linux-source-6.12 (make
# setup), copied into zram/ and never edited.  Without them it is skipped.
# ZHEAP_NO_ZRAM=1 leaves it out (the static checks do: it is not our code).
ZRAM_SRC := $(shell $(ZHEAP_ENV); echo $$ZHEAP_SRC)/drivers/block/zram
ifeq ($(ZHEAP_NO_ZRAM),)
ifneq ($(wildcard $(ZRAM_SRC)/zram_drv.c),)
ZHEAP_ZRAM := 1
ZHEAP_CONFIG += CONFIG_ZHEAP_ZRAM=m
endif
endif

.PHONY: all modules setup run check lint kunit qemu-test bench stress clean

all: modules

modules:
ifneq ($(ZHEAP_ZRAM),)
	mkdir -p zram && cp -u $(ZRAM_SRC)/*.[ch] zram/
endif
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(ZHEAP_CONFIG) modules

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

stress: setup
	bash scripts/qemu.sh stress
	bash scripts/qemu.sh race

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

endif
