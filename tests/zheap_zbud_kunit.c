// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the zbud backend's placement rules, seen through the frontend.
 *
 * Which page an object is in is read off its mapping; how many pages the
 * backend holds, off the pool's page count.
 */

#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>
#include "zheap_test_util.h"

static struct zheap_pool *zbud_pool(struct kunit *test)
{
	struct zheap_pool *pool = zheap_pool_create("kunit-zbud", "zbud");

	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	return pool;
}

static unsigned long obj_addr(struct zheap_pool *pool, unsigned long handle)
{
	unsigned long addr;

	addr = (unsigned long)zheap_map_object(pool, handle, ZHEAP_MAP_RO);
	zheap_unmap_object(pool, handle);
	return addr;
}

static unsigned long obj_pfn(struct zheap_pool *pool, unsigned long handle)
{
	return page_to_pfn(virt_to_page((void *)obj_addr(pool, handle)));
}

static unsigned long alloc(struct kunit *test, struct zheap_pool *pool,
			   size_t size)
{
	unsigned long handle;

	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL, &handle), 0);
	return handle;
}

static void zheap_zbud_test_two_buddies_share_a_page(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[2], a0, a1;

	h[0] = alloc(test, pool, 1000);
	h[1] = alloc(test, pool, 1000);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 1);

	a0 = obj_addr(pool, h[0]);
	a1 = obj_addr(pool, h[1]);
	KUNIT_EXPECT_EQ(test, a0 & PAGE_MASK, a1 & PAGE_MASK);
	/* The first buddy starts the page, the last one ends it. */
	KUNIT_EXPECT_EQ(test, offset_in_page(a0), 0);
	KUNIT_EXPECT_EQ(test, offset_in_page(a1), PAGE_SIZE - 1024);
	zheap_test_free_all(test, pool, h, 2);
}

static void zheap_zbud_test_third_object_takes_a_new_page(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[3];

	h[0] = alloc(test, pool, 100);
	h[1] = alloc(test, pool, 100);
	h[2] = alloc(test, pool, 100);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);
	KUNIT_EXPECT_NE(test, obj_addr(pool, h[2]) & PAGE_MASK,
			obj_addr(pool, h[0]) & PAGE_MASK);
	zheap_test_free_all(test, pool, h, 3);
}

static void zheap_zbud_test_freeing_both_buddies_frees_the_page(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[3];

	h[0] = alloc(test, pool, 2000);
	h[1] = alloc(test, pool, 2000);
	h[2] = alloc(test, pool, 3000);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);

	KUNIT_EXPECT_EQ(test, zheap_free(pool, h[0]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, h[1]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 1);
	zheap_test_free_all(test, pool, &h[2], 1);
}

/* A freed first buddy is reused while the last buddy stays put. */
static void zheap_zbud_test_free_first_buddy_is_reused(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[2], first, last;

	h[0] = alloc(test, pool, 1500);
	h[1] = alloc(test, pool, 1500);
	first = obj_addr(pool, h[0]);
	last = obj_addr(pool, h[1]);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, h[0]), 0);

	h[0] = alloc(test, pool, 2000);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 1);
	KUNIT_EXPECT_EQ(test, obj_addr(pool, h[0]), first);
	KUNIT_EXPECT_EQ(test, obj_addr(pool, h[1]), last);
	zheap_test_free_all(test, pool, h, 2);
}

/* Of two pages with room, the one with the least room that fits wins. */
static void zheap_zbud_test_best_fit(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[3];

	h[0] = alloc(test, pool, 3200);	/* leaves 14 grains */
	h[1] = alloc(test, pool, 1024);	/* 16 grains: no room there */
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);
	h[2] = alloc(test, pool, 800);	/* 13 grains: fits both pages */
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);
	KUNIT_EXPECT_EQ(test, obj_addr(pool, h[2]) & PAGE_MASK,
			obj_addr(pool, h[0]) & PAGE_MASK);
	zheap_test_free_all(test, pool, h, 3);
}

/* An object of PAGE_SIZE takes a page of its own; so does the next one. */
static void zheap_zbud_test_full_page_object(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[2];

	h[0] = alloc(test, pool, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, offset_in_page(obj_addr(pool, h[0])), 0);
	h[1] = alloc(test, pool, 1);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2);
	zheap_test_free_all(test, pool, h, 2);
}

/* Bookkeeping: one descriptor per page, none once the pool is empty. */
static void zheap_zbud_test_meta_bytes_follow_pages(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	struct zheap_stats s1, s2;
	unsigned long h[3];

	h[0] = alloc(test, pool, 3000);
	zheap_pool_stats(pool, &s1);
	KUNIT_EXPECT_GT(test, s1.backend_meta_bytes, 0);
	h[1] = alloc(test, pool, 3000);
	h[2] = alloc(test, pool, 3000);
	zheap_pool_stats(pool, &s2);
	KUNIT_EXPECT_EQ(test, s2.pool_pages, 3);
	KUNIT_EXPECT_EQ(test, s2.backend_meta_bytes, 3 * s1.backend_meta_bytes);
	zheap_test_free_all(test, pool, h, 3);
}

/*
 * Past 64 pages, zbud's pages come in runs of 64 (core/page.c): the
 * 64 objects placed after that point, one per page, lie in 64 pages in a
 * row, each of them a page of its own.  The run's unused pages are
 * counted in zheap_total_pages() and given back on request and when the
 * pool empties.
 */
static void zheap_zbud_test_page_runs(struct kunit *test)
{
	const unsigned int run = 1U << ZHEAP_PAGE_RUN_ORDER_MAX;
	const unsigned int first = ZHEAP_RUN_MIN_PAGES;
	const unsigned int n = first + run + run / 2;
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long *h, pfn0 = 0;
	struct zheap_stats s;
	size_t bad = 0;
	unsigned int i;
	u8 *buf;

	h = kunit_kcalloc(test, n + 1, sizeof(*h), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < n; i++) {
		h[i] = zheap_test_store(test, pool, 3000, i, buf);
		zheap_pool_stats(pool, &s);
		if (i < first)
			KUNIT_ASSERT_EQ(test, s.page_runs, 0);
		if (i == first)
			pfn0 = obj_pfn(pool, h[i]);
		else if (i > first && i < first + run)
			KUNIT_EXPECT_EQ(test, obj_pfn(pool, h[i]),
					pfn0 + i - first);
	}
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.page_runs, 2);
	KUNIT_EXPECT_EQ(test, s.pool_pages, n);
	KUNIT_EXPECT_EQ(test, s.run_pages, run - run / 2);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), n + run - run / 2);

	for (i = 0; i < n; i++)
		bad += zheap_test_check(test, pool, h[i], 3000, i, buf);
	KUNIT_EXPECT_EQ(test, bad, 0);

	/* What the shrinker does: the run's pages go, the objects stay. */
	KUNIT_EXPECT_EQ(test, zheap_page_run_release(pool), run - run / 2);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), n);
	/* The next page starts a new run; emptying the pool ends it. */
	h[n] = alloc(test, pool, 3000);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.page_runs, 3);
	KUNIT_EXPECT_EQ(test, s.run_pages, run - 1);
	zheap_test_free_all(test, pool, h, n + 1);
}

/*
 * The classes file (debugfs <pool>/classes) counts pages by free grains:
 * three objects of 1,000 bytes (16 grains) fill one page with two buddies
 * (0 free: buddied) and leave one buddy alone in a page with 48 free; a
 * whole-page object is a page with 0 free.
 */
static void zheap_zbud_test_classes_count_pages(struct kunit *test)
{
	struct zheap_pool *pool = zbud_pool(test);
	unsigned long h[4];
	char *text;

	h[0] = alloc(test, pool, 1000);
	h[1] = alloc(test, pool, 1000);
	h[2] = alloc(test, pool, 1000);
	text = zheap_test_classes(test, pool);
	KUNIT_EXPECT_STREQ(test, text, "free_grains pages\n0 1\n48 1\n");
	h[3] = alloc(test, pool, PAGE_SIZE);
	text = zheap_test_classes(test, pool);
	KUNIT_EXPECT_STREQ(test, text, "free_grains pages\n0 2\n48 1\n");
	zheap_test_free_all(test, pool, h, 4);
}

#ifdef CONFIG_TRACEPOINTS
struct nofail_watch {
	struct task_struct *task;
	unsigned int runs;		/* run-sized blocks it got */
	unsigned int nofail_above_1;	/* __GFP_NOFAIL above order 1 */
};

static void nofail_probe(void *data, struct page *page, unsigned int order,
			 gfp_t gfp, int migratetype)
{
	struct nofail_watch *w = data;

	if (current != w->task || !in_task())
		return;
	if (page && order == ZHEAP_PAGE_RUN_ORDER_MAX)
		w->runs++;
	if (order > 1 && (gfp & __GFP_NOFAIL))
		w->nofail_above_1++;
}

/*
 * A consumer's __GFP_NOFAIL goes to the order-0 pages only: a run is an
 * opportunity, and the page allocator refuses __GFP_NOFAIL above order 1
 * (issue 19, finding 12).  Every page allocation this task makes is
 * watched through the kernel's mm_page_alloc tracepoint while a pool
 * grows past the point where runs start.
 */
static void zheap_zbud_test_nofail_never_asks_for_a_run(struct kunit *test)
{
	const unsigned int n = ZHEAP_RUN_MIN_PAGES + 8;
	struct nofail_watch w = { .task = current };
	struct zheap_pool *pool = zbud_pool(test);
	struct zheap_stats s;
	unsigned long *h;
	unsigned int i;
	size_t bad = 0;
	u8 *buf;

	h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, register_trace_mm_page_alloc(nofail_probe, &w),
			0);
	for (i = 0; i < n; i++) {
		if (zheap_malloc(pool, 3000, GFP_KERNEL | __GFP_NOFAIL, &h[i]))
			break;
		zheap_test_fill(buf, 3000, i);
		if (zheap_write_object(pool, h[i], buf, 3000))
			break;
	}
	unregister_trace_mm_page_alloc(nofail_probe, &w);
	tracepoint_synchronize_unregister();
	KUNIT_ASSERT_EQ(test, i, n);

	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_GE(test, s.page_runs, 1);
	KUNIT_EXPECT_EQ(test, w.runs, s.page_runs);
	KUNIT_EXPECT_EQ(test, w.nofail_above_1, 0);
	for (i = 0; i < n; i++)
		bad += zheap_test_check(test, pool, h[i], 3000, i, buf);
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_test_free_all(test, pool, h, n);
}
#endif

static struct kunit_case zheap_zbud_cases[] = {
	KUNIT_CASE(zheap_zbud_test_two_buddies_share_a_page),
	KUNIT_CASE(zheap_zbud_test_third_object_takes_a_new_page),
	KUNIT_CASE(zheap_zbud_test_freeing_both_buddies_frees_the_page),
	KUNIT_CASE(zheap_zbud_test_free_first_buddy_is_reused),
	KUNIT_CASE(zheap_zbud_test_best_fit),
	KUNIT_CASE(zheap_zbud_test_full_page_object),
	KUNIT_CASE(zheap_zbud_test_meta_bytes_follow_pages),
	KUNIT_CASE(zheap_zbud_test_page_runs),
	KUNIT_CASE(zheap_zbud_test_classes_count_pages),
#ifdef CONFIG_TRACEPOINTS
	KUNIT_CASE(zheap_zbud_test_nofail_never_asks_for_a_run),
#endif
	{}
};

static struct kunit_suite zheap_zbud_suite = {
	.name = "zheap_zbud",
	.test_cases = zheap_zbud_cases,
};

kunit_test_suite(zheap_zbud_suite);
