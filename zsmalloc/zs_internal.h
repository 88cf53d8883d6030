/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the zsmalloc backend and its KUnit suite.
 */
#ifndef _ZHEAP_ZS_INTERNAL_H
#define _ZHEAP_ZS_INTERNAL_H

#include <linux/types.h>

#define ZS_ALIGN		16
#define ZS_NR_SIZES		(PAGE_SIZE / ZS_ALIGN)
/*
 * Longest span, longest for sizes that it would not hold one per page, and
 * how much (permille) a shorter one may waste more.
 */
#define ZS_MAX_SPAN_PAGES	16
#define ZS_SPAN_PAGES		8
#define ZS_SPAN_TOLERANCE	15
/* Grid sizes one class may cover: its objects waste at most 63 bytes. */
#define ZS_MAX_CLASS_SIZES	4
#define ZS_GROUPS		8
/* A location: pfn << ZS_PFN_SHIFT | index << ZS_SLACK_BITS | slack. */
#define ZS_IDX_BITS		10
#define ZS_SLACK_BITS		6
#define ZS_PFN_SHIFT		(ZS_IDX_BITS + ZS_SLACK_BITS)

/* One class: objects up to @size bytes, @objs of them in @pages pages. */
struct zs_layout {
	u16 size;
	u16 objs;
	u8 pages;
};

const struct zs_layout *zheap_zsmalloc_layout_for(size_t size);
unsigned int zheap_zsmalloc_nr_layouts(void);
const struct zs_layout *zheap_zsmalloc_layout_nr(unsigned int nr);
bool zheap_zsmalloc_straddles(unsigned long loc);

#endif /* _ZHEAP_ZS_INTERNAL_H */
