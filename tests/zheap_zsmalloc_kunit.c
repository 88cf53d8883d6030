// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the zsmalloc backend's classes, spans and straddling objects.
 *
 * Page counts are exact: a class's layout says how many pages a span of it
 * takes and how many objects it holds, so the pool's page count after a
 * given sequence of allocations is known in advance.
 */

#include "zheap_test_util.h"
#include "../zsmalloc/zs_internal.h"

static struct zheap_pool *zs_pool(struct kunit *test)
{
	struct zheap_pool *pool = zheap_pool_create("kunit-zs", "zsmalloc");

	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	return pool;
}

static unsigned long obj_loc(struct kunit *test, struct zheap_pool *pool,
			     unsigned long handle)
{
	unsigned long loc = 0;

	KUNIT_ASSERT_TRUE(test, zheap_handle_lookup(pool, handle, &loc));
	return loc;
}

/* Classes cover 1..PAGE_SIZE in order and every layout fits its span. */
static void zheap_zsmalloc_test_class_table_is_sound(struct kunit *test)
{
	unsigned int c, n = zheap_zsmalloc_nr_layouts();
	size_t size;

	KUNIT_ASSERT_GT(test, n, 0);
	for (c = 0; c < n; c++) {
		const struct zs_layout *l = zheap_zsmalloc_layout_nr(c);

		KUNIT_EXPECT_EQ(test, l->size % ZS_ALIGN, 0);
		KUNIT_EXPECT_GE(test, l->pages, 1);
		KUNIT_EXPECT_LE(test, l->pages, ZS_MAX_SPAN_PAGES);
		/* Longer spans only where shorter ones hold a page each. */
		if (l->pages > ZS_SPAN_PAGES)
			KUNIT_EXPECT_LE(test, ZS_SPAN_PAGES * PAGE_SIZE / l->size,
					ZS_SPAN_PAGES);
		KUNIT_EXPECT_LE(test, l->objs * l->size, l->pages * PAGE_SIZE);
		/* One more object would not fit: no slack left unused. */
		KUNIT_EXPECT_GT(test, (l->objs + 1) * l->size,
				l->pages * PAGE_SIZE);
		KUNIT_EXPECT_LT(test, l->objs, BIT(ZS_IDX_BITS));
		if (c) {
			const struct zs_layout *prev = zheap_zsmalloc_layout_nr(c - 1);

			KUNIT_EXPECT_GT(test, l->size, prev->size);
			/* Every size it serves fits the location's slack. */
			KUNIT_EXPECT_LT(test, l->size - prev->size - 1,
					BIT(ZS_SLACK_BITS));
		}
	}
	KUNIT_EXPECT_EQ(test, zheap_zsmalloc_layout_nr(n - 1)->size, PAGE_SIZE);
	for (size = 1; size <= PAGE_SIZE; size++)
		KUNIT_EXPECT_GE(test, zheap_zsmalloc_layout_for(size)->size, size);
}

/* At each class boundary, size goes to the class, size + 1 to the next. */
static void zheap_zsmalloc_test_class_selection_at_boundaries(struct kunit *test)
{
	unsigned int c, n = zheap_zsmalloc_nr_layouts();

	for (c = 0; c + 1 < n; c++) {
		const struct zs_layout *l = zheap_zsmalloc_layout_nr(c);

		KUNIT_EXPECT_PTR_EQ(test, zheap_zsmalloc_layout_for(l->size), l);
		KUNIT_EXPECT_PTR_EQ(test, zheap_zsmalloc_layout_for(l->size + 1),
				    zheap_zsmalloc_layout_nr(c + 1));
	}
	KUNIT_EXPECT_PTR_EQ(test, zheap_zsmalloc_layout_for(1),
			    zheap_zsmalloc_layout_nr(0));
	KUNIT_EXPECT_PTR_EQ(test, zheap_zsmalloc_layout_for(PAGE_SIZE),
			    zheap_zsmalloc_layout_nr(n - 1));
}

/*
 * Objects that straddle two pages read back intact, through copies and
 * through mappings, and writes through a mapping land in both pages.
 */
static void zheap_zsmalloc_test_straddling_objects_read_back(struct kunit *test)
{
	const size_t size = 3000;	/* never a divisor of PAGE_SIZE */
	const struct zs_layout *l = zheap_zsmalloc_layout_for(size);
	struct zheap_pool *pool = zs_pool(test);
	unsigned int i, straddling = 0;
	unsigned long *handles;
	size_t bad = 0;
	u8 *buf, *p;

	handles = kunit_kcalloc(test, l->objs, sizeof(*handles), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && buf);

	for (i = 0; i < l->objs; i++) {
		handles[i] = zheap_test_store(test, pool, size, i, buf);
		straddling += zheap_zsmalloc_straddles(obj_loc(test, pool, handles[i]));
	}
	KUNIT_EXPECT_GT(test, straddling, 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), l->pages);

	for (i = 0; i < l->objs; i++)
		bad += zheap_test_check(test, pool, handles[i], size, i, buf);
	KUNIT_EXPECT_EQ(test, bad, 0);

	for (i = 0; i < l->objs; i++) {
		p = zheap_map_object(pool, handles[i], ZHEAP_MAP_RW);
		KUNIT_ASSERT_NOT_NULL(test, p);
		bad += zheap_test_mismatch(p, size, i);
		zheap_test_fill(p, size, i + 500);
		zheap_unmap_object(pool, handles[i]);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	for (i = 0; i < l->objs; i++)
		bad += zheap_test_check(test, pool, handles[i], size, i + 500,
					buf);
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_test_free_all(test, pool, handles, l->objs);
}

/* A span holds exactly its layout's objects; emptying it frees its pages. */
static void zheap_zsmalloc_test_emptied_span_returns_pages(struct kunit *test)
{
	const size_t size = 1000;
	const struct zs_layout *l = zheap_zsmalloc_layout_for(size);
	struct zheap_pool *pool = zs_pool(test);
	unsigned int i, n = l->objs + 1;
	unsigned long *handles;
	struct zheap_stats s;

	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	for (i = 0; i < l->objs; i++)
		KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL,
						   &handles[i]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), l->pages);
	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL,
					   &handles[l->objs]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 2 * l->pages);

	/* Empty the first span: its pages go, the second span stays. */
	for (i = 0; i < l->objs; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), l->pages);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, 1);
	KUNIT_EXPECT_GT(test, s.backend_meta_bytes, 0);
	zheap_test_free_all(test, pool, &handles[l->objs], 1);
}

static unsigned long obj_span(struct kunit *test, struct zheap_pool *pool,
			      unsigned long handle)
{
	return page_private(pfn_to_page(obj_loc(test, pool, handle) >>
					ZS_PFN_SHIFT));
}

/* New objects go to the fullest span with room. */
static void zheap_zsmalloc_test_fills_fullest_span_first(struct kunit *test)
{
	const size_t size = 200;
	const struct zs_layout *l = zheap_zsmalloc_layout_for(size);
	struct zheap_pool *pool = zs_pool(test);
	unsigned int i, n = 2 * l->objs;
	unsigned long *handles, h, full_span;

	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	KUNIT_ASSERT_GE(test, l->objs, 8);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL,
						   &handles[i]), 0);
	KUNIT_ASSERT_EQ(test, zheap_total_pages(pool), 2 * l->pages);

	/* Span A (first half) keeps 7/8 of its objects, span B a quarter. */
	for (i = 0; i < l->objs / 8; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
	for (i = l->objs; i < l->objs + 3 * l->objs / 4; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);

	/* A location names a page of the span; page_private names the span. */
	full_span = obj_span(test, pool, handles[n / 2 - 1]);
	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_EQ(test, obj_span(test, pool, h), full_span);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, h), 0);

	for (i = l->objs / 8; i < l->objs; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
	zheap_test_free_all(test, pool, &handles[l->objs + 3 * l->objs / 4],
			    l->objs - 3 * l->objs / 4);
}

/*
 * The largest sizes: PAGE_SIZE takes a page each, but objects a little
 * smaller share pages, unlike a huge class that gives each its own page.
 */
static void zheap_zsmalloc_test_largest_sizes(struct kunit *test)
{
	static const size_t sizes[] = { PAGE_SIZE, PAGE_SIZE - 1, 4000, 3700,
					3600 };
	struct zheap_pool *pool = zs_pool(test);
	unsigned long handles[64];
	unsigned int i, k;
	size_t bad = 0;
	u8 *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		const struct zs_layout *l = zheap_zsmalloc_layout_for(sizes[k]);
		unsigned int spans = DIV_ROUND_UP(64, l->objs);

		for (i = 0; i < 64; i++)
			handles[i] = zheap_test_store(test, pool, sizes[k], i,
						      buf);
		KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), spans * l->pages);
		/* A full span of these holds more objects than pages. */
		if (sizes[k] <= 3700)
			KUNIT_EXPECT_GT(test, l->objs, l->pages);
		for (i = 0; i < 64; i++)
			bad += zheap_test_check(test, pool, handles[i], sizes[k],
						i, buf);
		for (i = 0; i < 64; i++)
			KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
		KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_pool_destroy(pool);
}

/*
 * The classes file (debugfs <pool>/classes) names each class in use with
 * its layout, and its rows add up to the pool: objects to the pool's
 * objects, pages to its pages.  Nothing was compacted, so every span is
 * whole: a class's pages and slots are its spans times the layout's.
 */
static void zheap_zsmalloc_test_classes_add_up(struct kunit *test)
{
	const unsigned int n = 3000;
	struct zheap_pool *pool = zs_pool(test);
	unsigned long objects = 0, pages = 0, *h;
	unsigned int rows = 0, last = 0, i;
	struct zheap_stats s;
	char *text, *line;
	u8 *buf;

	h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < n; i++)
		h[i] = zheap_test_store(test, pool, 1 + (i * 997) % PAGE_SIZE,
					i, buf);
	zheap_pool_stats(pool, &s);

	text = zheap_test_classes(test, pool);
	line = strsep(&text, "\n");
	KUNIT_EXPECT_STREQ(test, line,
			   "class size span_pages span_objs spans objects pages slots");
	while ((line = strsep(&text, "\n")) && *line) {
		unsigned int c, size, span_pages, span_objs;
		unsigned long spans, objs, cpages, slots;
		const struct zs_layout *l;
		int got = sscanf(line, "%u %u %u %u %lu %lu %lu %lu", &c, &size,
				 &span_pages, &span_objs, &spans, &objs,
				 &cpages, &slots);

		KUNIT_ASSERT_EQ_MSG(test, got, 8, "row \"%s\"", line);
		KUNIT_EXPECT_EQ(test, cpages, spans * span_pages);
		KUNIT_EXPECT_EQ(test, slots, spans * span_objs);
		KUNIT_ASSERT_LT(test, c, zheap_zsmalloc_nr_layouts());
		l = zheap_zsmalloc_layout_nr(c);
		KUNIT_EXPECT_EQ(test, size, l->size);
		KUNIT_EXPECT_EQ(test, span_pages, l->pages);
		KUNIT_EXPECT_EQ(test, span_objs, l->objs);
		KUNIT_EXPECT_LE(test, objs, spans * span_objs);
		KUNIT_EXPECT_GT(test, spans, 0);
		if (rows)
			KUNIT_EXPECT_GT(test, c, last);
		last = c;
		rows++;
		objects += objs;
		pages += cpages;
	}
	KUNIT_EXPECT_GT(test, rows, 10);
	KUNIT_EXPECT_EQ(test, objects, s.objects);
	KUNIT_EXPECT_EQ(test, pages, s.pool_pages);
	zheap_test_free_all(test, pool, h, n);
}

/* The pages @live objects of layout @l take packed (zsmalloc.c). */
static unsigned long packed_pages(const struct zs_layout *l,
				  unsigned long live)
{
	return live / l->objs * l->pages +
	       DIV_ROUND_UP(live % l->objs * l->size, PAGE_SIZE);
}

/*
 * Compaction trims a class's last span: after the frees, it leaves the
 * class in full spans plus one that ends at the page its last object
 * reaches, the pages the arithmetic promised.  Every object reads back
 * through its handle; the trimmed span takes new objects into the slots
 * its pages still hold, no more; and when everything is freed, no page
 * is left.
 */
static void zheap_zsmalloc_test_compaction_trims_last_span(struct kunit *test)
{
	const size_t size = 1200;	/* five pages a span */
	const struct zs_layout *l = zheap_zsmalloc_layout_for(size);
	struct zheap_pool *pool = zs_pool(test);
	unsigned int i, n = 3 * l->objs, live = 0, more = 0;
	unsigned long *handles, ideal, freed, want;
	struct zheap_stats s;
	size_t bad = 0;
	u8 *buf;

	KUNIT_ASSERT_GE(test, l->pages, 3);
	handles = kunit_kcalloc(test, 2 * n, sizeof(*handles), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && buf);
	for (i = 0; i < n; i++)
		handles[i] = zheap_test_store(test, pool, size - i % 7, i, buf);
	/* Two objects in three go, from every span, but the first four stay. */
	for (i = 0; i < n; i++) {
		if (i % 3 && i >= 4) {
			KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
			handles[i] = 0;
		} else {
			live++;
		}
	}
	want = packed_pages(l, live);
	/* The last span is trimmed: less than whole spans would take. */
	KUNIT_ASSERT_LT(test, want, DIV_ROUND_UP(live, l->objs) * l->pages);
	ideal = zheap_compactable_pages(pool);
	KUNIT_EXPECT_EQ(test, ideal, 3 * l->pages - want);
	freed = zheap_compact(pool);
	KUNIT_EXPECT_EQ(test, freed, ideal);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), want);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	KUNIT_EXPECT_EQ(test, zheap_compact(pool), 0);
	for (i = 0; i < n; i++)
		if (handles[i])
			bad += zheap_test_check(test, pool, handles[i],
						size - i % 7, i, buf);
	KUNIT_EXPECT_EQ(test, bad, 0);

	/*
	 * New objects fill the trimmed span's free slots first, then a new
	 * span: the pool grows only when the slots the pages hold run out.
	 */
	while (zheap_total_pages(pool) == want) {
		KUNIT_ASSERT_LT(test, more, (unsigned int)l->objs);
		handles[n + more] = zheap_test_store(test, pool, size, n + more,
						     buf);
		more++;
	}
	KUNIT_EXPECT_EQ(test, more - 1,
			(want - live / l->objs * l->pages) * PAGE_SIZE / l->size -
			live % l->objs);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), want + l->pages);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, live + more);
	for (i = 0; i < n + more; i++)
		if (handles[i])
			bad += zheap_test_check(test, pool, handles[i],
						i < n ? size - i % 7 : size, i,
						buf);
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_test_free_all(test, pool, handles, n + more);
}

/*
 * Objects of a class of one object a page (here 4000 bytes and whole
 * pages) take a page each and no descriptor: the pool's pages are their
 * number, the backend's metadata is 0, nothing is compactable after half
 * are freed, and every object reads back, through copies and mappings.
 */
static void zheap_zsmalloc_test_singles_have_no_descriptor(struct kunit *test)
{
	static const size_t sizes[] = { 4000, PAGE_SIZE };
	struct zheap_pool *pool = zs_pool(test);
	unsigned long *handles, loc;
	unsigned int i, n = 64;
	struct zheap_stats s;
	size_t bad = 0;
	u8 *buf, *p;

	KUNIT_ASSERT_EQ(test, zheap_zsmalloc_layout_for(4000)->objs, 1);
	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && buf);
	for (i = 0; i < n; i++)
		handles[i] = zheap_test_store(test, pool, sizes[i % 2], i, buf);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), n);
	KUNIT_EXPECT_EQ(test, s.backend_meta_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, n / 2 * (4000 + PAGE_SIZE));
	for (i = 0; i < n; i++) {
		/* The exact size is kept: one byte more is refused. */
		if (sizes[i % 2] < PAGE_SIZE)
			KUNIT_EXPECT_EQ(test, zheap_read_object(pool, handles[i],
								buf, 4001),
					-EINVAL);
		loc = obj_loc(test, pool, handles[i]);
		KUNIT_EXPECT_FALSE(test, zheap_zsmalloc_straddles(loc));
		bad += zheap_test_check(test, pool, handles[i], sizes[i % 2], i,
					buf);
		p = zheap_map_object(pool, handles[i], ZHEAP_MAP_RO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		bad += zheap_test_mismatch(p, sizes[i % 2], i);
		zheap_unmap_object(pool, handles[i]);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	for (i = 0; i < n; i += 2) {
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
		handles[i] = 0;
	}
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), n / 2);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, n / 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	KUNIT_EXPECT_EQ(test, zheap_compact(pool), 0);
	for (i = 1; i < n; i += 2)
		bad += zheap_test_check(test, pool, handles[i], sizes[i % 2], i,
					buf);
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_test_free_all(test, pool, handles, n);
}

static struct kunit_case zheap_zsmalloc_cases[] = {
	KUNIT_CASE(zheap_zsmalloc_test_classes_add_up),
	KUNIT_CASE(zheap_zsmalloc_test_class_table_is_sound),
	KUNIT_CASE(zheap_zsmalloc_test_class_selection_at_boundaries),
	KUNIT_CASE(zheap_zsmalloc_test_straddling_objects_read_back),
	KUNIT_CASE(zheap_zsmalloc_test_emptied_span_returns_pages),
	KUNIT_CASE(zheap_zsmalloc_test_fills_fullest_span_first),
	KUNIT_CASE(zheap_zsmalloc_test_largest_sizes),
	KUNIT_CASE(zheap_zsmalloc_test_compaction_trims_last_span),
	KUNIT_CASE(zheap_zsmalloc_test_singles_have_no_descriptor),
	{}
};

static struct kunit_suite zheap_zsmalloc_suite = {
	.name = "zheap_zsmalloc",
	.test_cases = zheap_zsmalloc_cases,
};

kunit_test_suite(zheap_zsmalloc_suite);
