// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the backend contract, run over every registered backend.
 *
 * The parameter generator walks the backend registry, so a new backend
 * runs through this suite as soon as it registers, before it has tests of
 * its own.  Every case drives the real frontend and backend and checks
 * data read back, handles, and counters that must balance.
 */

#include "zheap_test_util.h"

static struct zheap_pool *contract_pool(struct kunit *test)
{
	return zheap_test_param_pool(test, "kunit-contract");
}

static void expect_empty(struct kunit *test, struct zheap_pool *pool)
{
	struct zheap_stats s;

	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, 0);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.pool_pages, 0);
	KUNIT_EXPECT_EQ(test, s.handle_slots, 0);
	KUNIT_EXPECT_EQ(test, s.handle_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.backend_meta_bytes, 0);
	KUNIT_EXPECT_EQ(test, s.malloc_ok, s.frees);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
}

/* Every size from 1 to PAGE_SIZE, all live at once, reads back intact. */
static void zheap_contract_test_every_size_reads_back(struct kunit *test)
{
	long pages0 = atomic_long_read(&zheap_pages_allocated);
	long chunks0 = atomic_long_read(&zheap_chunks_allocated);
	struct zheap_pool *pool = contract_pool(test);
	unsigned long *handles;
	size_t size, bad = 0;
	struct zheap_stats s;
	u64 sum = 0;
	u8 *buf;

	handles = kunit_kcalloc(test, PAGE_SIZE + 1, sizeof(*handles),
				GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (size = 1; size <= PAGE_SIZE; size++) {
		handles[size] = zheap_test_store(test, pool, size, size, buf);
		sum += size;
	}
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s.handle_slots, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, sum);
	KUNIT_EXPECT_GT(test, s.pool_pages, 0);
	/* No backend may use more memory than the bytes it was given. */
	KUNIT_EXPECT_GE(test, s.pool_pages * PAGE_SIZE, sum);

	for (size = 1; size <= PAGE_SIZE; size++)
		bad += zheap_test_check(test, pool, handles[size], size, size,
					buf);
	KUNIT_EXPECT_EQ(test, bad, 0);

	for (size = 1; size <= PAGE_SIZE; size++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[size]), 0);
	expect_empty(test, pool);
	zheap_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zheap_pages_allocated), pages0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zheap_chunks_allocated), chunks0);
}

#define CONTRACT_OBJECTS 3000

/*
 * Many objects of random sizes; free a random half in random order, check
 * the rest, refill, then free everything in random order.
 */
static void zheap_contract_test_random_free_order(struct kunit *test)
{
	struct zheap_pool *pool = contract_pool(test);
	unsigned int *order, i, n = CONTRACT_OBJECTS;
	unsigned long *handles, *ids;
	struct rnd_state rnd;
	struct zheap_stats s;
	size_t *sizes, bad = 0;
	u64 sum = 0;
	u8 *buf;

	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	ids = kunit_kcalloc(test, n, sizeof(*ids), GFP_KERNEL);
	sizes = kunit_kcalloc(test, n, sizeof(*sizes), GFP_KERNEL);
	order = kunit_kcalloc(test, n, sizeof(*order), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && ids && sizes && order && buf);
	zheap_test_seed(test, &rnd);

	for (i = 0; i < n; i++) {
		sizes[i] = 1 + prandom_u32_state(&rnd) % PAGE_SIZE;
		ids[i] = i;
		handles[i] = zheap_test_store(test, pool, sizes[i], ids[i], buf);
	}

	zheap_test_shuffle(&rnd, order, n);
	for (i = 0; i < n / 2; i++) {
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[order[i]]), 0);
		handles[order[i]] = 0;
	}
	for (i = 0; i < n; i++)
		if (handles[i])
			bad += zheap_test_check(test, pool, handles[i],
						sizes[i], ids[i], buf);
	KUNIT_EXPECT_EQ(test, bad, 0);

	for (i = 0; i < n / 2; i++) {
		unsigned int k = order[i];

		sizes[k] = 1 + prandom_u32_state(&rnd) % PAGE_SIZE;
		ids[k] = k + n;
		handles[k] = zheap_test_store(test, pool, sizes[k], ids[k], buf);
	}
	for (i = 0; i < n; i++) {
		sum += sizes[i];
		bad += zheap_test_check(test, pool, handles[i], sizes[i],
					ids[i], buf);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, n);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, sum);

	zheap_test_shuffle(&rnd, order, n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[order[i]]), 0);
	expect_empty(test, pool);
	zheap_pool_destroy(pool);
}

/* Map and copy access see the same bytes. */
static void zheap_contract_test_map_and_copy_agree(struct kunit *test)
{
	struct zheap_pool *pool = contract_pool(test);
	static const size_t sizes[] = { 1, 63, 64, 65, 1000, 2048, 4000,
					PAGE_SIZE };
	unsigned long handle;
	unsigned int i;
	u8 *buf, *p;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];

		KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL,
						   &handle), 0);
		p = zheap_map_object(pool, handle, ZHEAP_MAP_WO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		zheap_test_fill(p, size, i);
		zheap_unmap_object(pool, handle);
		KUNIT_EXPECT_EQ(test, zheap_test_check(test, pool, handle, size,
						       i, buf), 0);

		zheap_test_fill(buf, size, i + 100);
		KUNIT_ASSERT_EQ(test, zheap_write_object(pool, handle, buf,
							 size), 0);
		p = zheap_map_object(pool, handle, ZHEAP_MAP_RO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, zheap_test_mismatch(p, size, i + 100), 0);
		zheap_unmap_object(pool, handle);

		/* A copy may be shorter than the object, never longer. */
		KUNIT_EXPECT_EQ(test, zheap_read_object(pool, handle, buf,
							size + 1), -EINVAL);
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handle), 0);
	}
	expect_empty(test, pool);
	zheap_pool_destroy(pool);
}

#define CONTRACT_SMALL 64

/* page_objects() names every live object, in the page that holds it. */
static void zheap_contract_test_page_objects_finds_all(struct kunit *test)
{
	struct zheap_pool *pool = contract_pool(test);
	const struct zheap_backend_ops *ops = pool->backend->ops;
	unsigned long handles[CONTRACT_SMALL], found[16];
	unsigned int i, j, k, nr, seen[CONTRACT_SMALL] = {};
	struct page *pages[CONTRACT_SMALL];
	u8 *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < CONTRACT_SMALL; i++)
		handles[i] = zheap_test_store(test, pool, 100 + i * 50, i, buf);

	nr = zheap_test_object_pages(pool, handles, CONTRACT_SMALL, pages);
	for (j = 0; j < nr; j++) {
		struct zheap_page_owner *owner = zheap_page_owner_of(pages[j]);
		unsigned int n;

		KUNIT_ASSERT_NOT_NULL(test, owner);
		spin_lock(&owner->lock);
		n = ops->page_objects(pool->bpool, pages[j], found,
				      ARRAY_SIZE(found));
		spin_unlock(&owner->lock);

		KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(found));
		KUNIT_EXPECT_GT(test, n, 0);
		for (k = 0; k < n; k++)
			for (i = 0; i < CONTRACT_SMALL; i++)
				if (found[k] == handles[i])
					seen[i]++;
	}
	for (i = 0; i < CONTRACT_SMALL; i++)
		KUNIT_EXPECT_GE_MSG(test, seen[i], 1, "object %u not found", i);

	for (i = 0; i < CONTRACT_SMALL; i++)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
	expect_empty(test, pool);
	zheap_pool_destroy(pool);
}

/* Sizes outside 1..PAGE_SIZE are refused and change nothing. */
static void zheap_contract_test_rejects_bad_sizes(struct kunit *test)
{
	struct zheap_pool *pool = contract_pool(test);
	unsigned long handle = 0;

	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, 0, GFP_KERNEL, &handle),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE + 1, GFP_KERNEL,
					   &handle), -EINVAL);
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, SIZE_MAX, GFP_KERNEL,
					   &handle), -EINVAL);
	KUNIT_EXPECT_EQ(test, handle, 0);
	expect_empty(test, pool);
	zheap_pool_destroy(pool);
}

static struct kunit_case zheap_contract_cases[] = {
	KUNIT_CASE_PARAM(zheap_contract_test_every_size_reads_back,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_contract_test_random_free_order,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_contract_test_map_and_copy_agree,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_contract_test_page_objects_finds_all,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_contract_test_rejects_bad_sizes,
			 zheap_test_backend_params),
	{}
};

static struct kunit_suite zheap_contract_suite = {
	.name = "zheap_contract",
	.test_cases = zheap_contract_cases,
};

kunit_test_suite(zheap_contract_suite);
