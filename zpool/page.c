// SPDX-License-Identifier: GPL-2.0
/*
 * zheap backend pages.
 *
 * Every page a backend stores objects in comes from zheap_page_alloc() and
 * goes back through zheap_page_free(), so the pool's page count has one
 * writer and the migration layer has one place to mark pages movable.
 */

#include <linux/gfp.h>
#include <linux/mm.h>

#include "zheap_internal.h"

/* Backend pages of all pools, so tests can see that a destroy frees all. */
atomic_long_t zheap_pages_allocated = ATOMIC_LONG_INIT(0);

#ifdef CONFIG_ZHEAP_FAULT_INJECTION
DECLARE_FAULT_ATTR(zheap_fail_page);

static bool page_alloc_should_fail(void)
{
	return should_fail(&zheap_fail_page, PAGE_SIZE);
}
#else
static bool page_alloc_should_fail(void)
{
	return false;
}
#endif

/**
 * zheap_page_alloc() - get a page for a backend to store objects in
 * @pool: the pool the page will belong to
 * @gfp: the consumer's allocation flags
 *
 * Backend pages are not movable yet, so __GFP_MOVABLE and __GFP_HIGHMEM are
 * dropped from @gfp: a page that cannot move must not sit in ZONE_MOVABLE,
 * and backends address their pages through the direct map.
 *
 * Context: Process or atomic context, as @gfp allows.
 * Return: the page, or NULL.
 */
struct page *zheap_page_alloc(struct zheap_pool *pool, gfp_t gfp)
{
	struct page *page;

	if (page_alloc_should_fail())
		return NULL;
	page = alloc_page(gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
	if (page) {
		atomic_long_inc(&pool->pages);
		atomic_long_inc(&zheap_pages_allocated);
	}
	return page;
}
EXPORT_SYMBOL_GPL(zheap_page_alloc);

/**
 * zheap_page_free() - give back a page from zheap_page_alloc()
 * @pool: the pool it belongs to
 * @page: the page, holding no live object
 *
 * Context: Any context.
 */
void zheap_page_free(struct zheap_pool *pool, struct page *page)
{
	atomic_long_dec(&pool->pages);
	atomic_long_dec(&zheap_pages_allocated);
	__free_page(page);
}
EXPORT_SYMBOL_GPL(zheap_page_free);
