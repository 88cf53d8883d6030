/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of zheap_bench.ko that live in files of their own.
 */
#ifndef _ZHEAP_BENCH_H
#define _ZHEAP_BENCH_H

#include <linux/types.h>

long zheap_bench_lru(const char *backend, const u16 *sizes, unsigned int n,
		     unsigned long seed);
int zheap_bench_cmp_u64(const void *a, const void *b);

#endif /* _ZHEAP_BENCH_H */
