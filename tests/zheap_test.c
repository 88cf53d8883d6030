// SPDX-License-Identifier: GPL-2.0
/*
 * What zheap's KUnit suites share at run time: the seed of their random
 * cases.  zheap_test.seed=N on the kernel command line (kunit.py run
 * --kernel_args, or ZHEAP_KUNIT_SEED=N with scripts/kunit.sh) replays a
 * run whose log printed "seed N"; 0, the default, draws a new seed for
 * every case.
 */
#include <linux/moduleparam.h>

#include "zheap_test_util.h"

u64 zheap_test_seed_param;
module_param_named(seed, zheap_test_seed_param, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the random KUnit cases (0: a new one each case)");
