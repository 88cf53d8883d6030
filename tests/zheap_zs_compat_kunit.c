// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zsmalloc's API on zheap (zpool/zs_compat.c), the calls the 6.12
 * zram driver makes, with the results zram relies on, on every backend.
 */

#include <zheap_zs_compat.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/zsmalloc.h>
#include "zheap_test_util.h"

/* A zs pool on the backend under test (zs_create_pool takes the default). */
static struct zheap_pool *compat_pool(struct kunit *test)
{
	const struct zheap_backend *b = test->param_value;
	struct zheap_pool *pool = zheap_pool_create("kunit-zs", b->name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	return pool;
}

/* Handles or ERR_PTR() values, as zram tests them; 0 and errors freed. */
static void zheap_zs_test_malloc_errors(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	unsigned long h;

	h = zs_malloc(pool, 0, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, IS_ERR_VALUE(h));
	KUNIT_EXPECT_EQ(test, PTR_ERR((void *)h), -EINVAL);
	h = zs_malloc(pool, PAGE_SIZE + 1, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, PTR_ERR((void *)h), -ENOSPC);
	h = zs_malloc(pool, PAGE_SIZE, GFP_KERNEL | __GFP_HIGHMEM |
		      __GFP_MOVABLE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h));
	KUNIT_EXPECT_NE(test, h, 0);
	/* zs_free() of 0 and of an error value does nothing. */
	zs_free(pool, 0);
	zs_free(pool, (unsigned long)ERR_PTR(-ENOMEM));
	KUNIT_EXPECT_EQ(test, zs_get_total_pages(pool), zheap_total_pages(pool));
	KUNIT_EXPECT_GT(test, zs_get_total_pages(pool), 0);
	zs_free(pool, h);
	KUNIT_EXPECT_EQ(test, zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
}

/* What is written through a WO mapping reads back through an RO one. */
static void zheap_zs_test_map_round_trip(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	unsigned long handles[64];
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		size_t size = 32 + i * 61;

		handles[i] = zs_malloc(pool, size, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(handles[i]));
		p = zs_map_object(pool, handles[i], ZS_MM_WO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		zheap_test_fill(p, size, i);
		zs_unmap_object(pool, handles[i]);
	}
	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		size_t size = 32 + i * 61;

		p = zs_map_object(pool, handles[i], ZS_MM_RO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, zheap_test_mismatch(p, size, i), 0);
		zs_unmap_object(pool, handles[i]);
	}
	for (i = 0; i < ARRAY_SIZE(handles); i++)
		zs_free(pool, handles[i]);
	zs_destroy_pool(pool);
}

/*
 * zs_free() of a mapped object (the consumer's bug) cannot return -EBUSY:
 * the object stays intact while mapped, the unmap frees it, and nothing
 * leaks.  A second zs_free() meanwhile is refused, and the object is
 * freed once.  Other objects are untouched.
 */
static void zheap_zs_test_free_while_mapped(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	unsigned long h, other;
	struct zheap_stats s;
	u8 *p;

	other = zs_malloc(pool, 300, GFP_KERNEL);
	h = zs_malloc(pool, 200, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(other) || IS_ERR_VALUE(h));
	p = zs_map_object(pool, other, ZS_MM_WO);
	zheap_test_fill(p, 300, 1);
	zs_unmap_object(pool, other);
	p = zs_map_object(pool, h, ZS_MM_WO);
	zheap_test_fill(p, 200, 2);
	zs_unmap_object(pool, h);

	p = zs_map_object(pool, h, ZS_MM_RO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zheap_test_expect_warn(test, "is in use");
	zs_free(pool, h);
	zheap_test_expect_warn(test, "freed twice");
	zs_free(pool, h);
	KUNIT_EXPECT_EQ(test, zheap_test_mismatch(p, 200, 2), 0);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, 2);
	KUNIT_EXPECT_GT(test, s.busy_frees, 0);
	zs_unmap_object(pool, h);

	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, 1);
	KUNIT_EXPECT_EQ(test, s.handle_slots, 1);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, 300);
	p = zs_map_object(pool, other, ZS_MM_RO);
	KUNIT_EXPECT_EQ(test, zheap_test_mismatch(p, 300, 1), 0);
	zs_unmap_object(pool, other);
	zs_free(pool, other);
	KUNIT_EXPECT_EQ(test, zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
}

/*
 * The huge size and the class index mean what zram uses them for: objects
 * from the huge size up take a page each, and classes grow with size.
 */
static void zheap_zs_test_classes(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	size_t huge = zs_huge_class_size(pool);
	unsigned int size, prev = 0;
	unsigned long h[4];
	int i;

	KUNIT_EXPECT_GT(test, huge, PAGE_SIZE / 2);
	KUNIT_EXPECT_LE(test, huge, PAGE_SIZE);
	for (size = 1; size <= PAGE_SIZE; size++) {
		unsigned int c = zs_lookup_class_index(pool, size);

		KUNIT_EXPECT_GE(test, c, prev);
		prev = c;
	}
	/* Objects of the huge size save nothing: a page each, at least. */
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = zs_malloc(pool, huge, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(h[i]));
	}
	KUNIT_EXPECT_GE(test, zs_get_total_pages(pool), ARRAY_SIZE(h));
	for (i = 0; i < ARRAY_SIZE(h); i++)
		zs_free(pool, h[i]);
	zs_destroy_pool(pool);
}

/*
 * zram keeps the huge size of its first device's pool for every device
 * after, so every pool must give the same answer, and one from which an
 * object takes a page on each backend.
 */
static void zheap_zs_test_huge_size_is_one_for_all(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	size_t huge = zs_huge_class_size(pool);
	const struct zheap_backend *b = NULL;
	unsigned int nr = 0;

	while ((b = zheap_backend_next(b))) {
		struct zheap_pool *other = zheap_pool_create("kunit-zs2",
							     b->name);

		KUNIT_ASSERT_FALSE(test, IS_ERR(other));
		KUNIT_EXPECT_EQ_MSG(test, zs_huge_class_size(other), huge,
				    "on %s", b->name);
		KUNIT_EXPECT_GE_MSG(test, huge, zheap_huge_size(other),
				    "on %s", b->name);
		zs_destroy_pool(other);
		nr++;
	}
	KUNIT_EXPECT_GE(test, nr, 2);
	zs_destroy_pool(pool);
}

/* zs_compact() frees what zheap_compact() frees; zs_pool_stats() says so. */
static void zheap_zs_test_compact_stats(struct kunit *test)
{
	struct zheap_pool *pool = compat_pool(test);
	struct zs_pool_stats stats = {};
	unsigned long *handles, ideal, freed;
	unsigned int i, n = 512;

	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	for (i = 0; i < n; i++) {
		handles[i] = zs_malloc(pool, 200 + i * 7 % 3000, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(handles[i]));
	}
	for (i = 0; i < n; i += 2)
		zs_free(pool, handles[i]);
	ideal = zheap_compactable_pages(pool);
	freed = zs_compact(pool);
	KUNIT_EXPECT_EQ(test, freed, ideal);
	KUNIT_EXPECT_GT(test, freed, 0);
	zs_pool_stats(pool, &stats);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&stats.pages_compacted), freed);
	for (i = 1; i < n; i += 2)
		zs_free(pool, handles[i]);
	KUNIT_EXPECT_EQ(test, zs_get_total_pages(pool), 0);
	zs_destroy_pool(pool);
}

static struct kunit_case zheap_zs_compat_cases[] = {
	KUNIT_CASE_PARAM(zheap_zs_test_malloc_errors, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_zs_test_map_round_trip,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_zs_test_free_while_mapped,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_zs_test_classes, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_zs_test_huge_size_is_one_for_all,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_zs_test_compact_stats,
			 zheap_test_backend_params),
	{}
};

static struct kunit_suite zheap_zs_compat_suite = {
	.name = "zheap_zs_compat",
	.test_cases = zheap_zs_compat_cases,
};

kunit_test_suite(zheap_zs_compat_suite);
