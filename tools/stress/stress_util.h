/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What zheap's stress modules share: object sizes like compressed pages
 * (the byte pattern is tests/zheap_pattern.h, shared with the tests and
 * the benchmark).
 */
#ifndef _ZHEAP_STRESS_UTIL_H
#define _ZHEAP_STRESS_UTIL_H

#include <linux/mm.h>
#include <linux/prandom.h>

/*
 * Sizes like compressed pages: mostly 1-3 KiB, some tiny (from @min),
 * some nearly whole pages.
 */
static inline u16 stress_pick_size(struct rnd_state *rnd, unsigned int min)
{
	u32 r = prandom_u32_state(rnd);

	switch (r & 7) {
	case 0:
		return min + (r >> 8) % 240;
	case 1:
		return PAGE_SIZE - (r >> 8) % 400;
	default:
		return 600 + (r >> 8) % 2600;
	}
}

#endif /* _ZHEAP_STRESS_UTIL_H */
