/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsmalloc's API, as the 6.12 zram driver uses it, on zheap.
 *
 * The kernel's zs_* functions are built into Debian's kernel and their
 * names are taken, so zheap implements them under zheap_zs_* names
 * (zpool/zs_compat.c) and this header renames the zs_* names at compile
 * time.  Force-include it (-include) into an unmodified user of
 * <linux/zsmalloc.h>: every zs_* name it uses, and that header's
 * declarations, then name zheap's.  A zs_pool is a zheap pool on the
 * default backend (zheap.backend=).
 */
#ifndef _ZHEAP_ZS_COMPAT_H
#define _ZHEAP_ZS_COMPAT_H

#define zs_pool			zheap_pool
#define zs_pool_stats		zheap_zs_pool_stats
#define zs_create_pool		zheap_zs_create_pool
#define zs_destroy_pool		zheap_zs_destroy_pool
#define zs_malloc		zheap_zs_malloc
#define zs_free			zheap_zs_free
#define zs_huge_class_size	zheap_zs_huge_class_size
#define zs_map_object		zheap_zs_map_object
#define zs_unmap_object		zheap_zs_unmap_object
#define zs_get_total_pages	zheap_zs_get_total_pages
#define zs_compact		zheap_zs_compact
#define zs_lookup_class_index	zheap_zs_lookup_class_index

/*
 * Only macros here, no #include: a forced include comes before the
 * including file's own pr_fmt and headers.  <linux/zsmalloc.h>, included
 * later by the user, declares the renamed functions.
 */

#endif /* _ZHEAP_ZS_COMPAT_H */
