// SPDX-License-Identifier: GPL-2.0
/*
 * zheap's tracepoints (include/trace/events/zheap.h), instantiated once
 * in zheap.ko for every layer: core/ frees, zpool/ allocates, migrate/
 * migrates and compacts, lru/ writes back.  They sit in core/ because
 * their arguments are core's struct zheap_pool, and every layer may call
 * down to core/.
 */

#include "core.h"

#define CREATE_TRACE_POINTS
#include <trace/events/zheap.h>
