/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by zheap's KUnit suites.
 */
#ifndef _ZHEAP_TEST_UTIL_H
#define _ZHEAP_TEST_UTIL_H

#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include "../zpool/zpool.h"
#include "zheap_pattern.h"

/* KUNIT_CASE_PARAM generator: every registered backend. */
static inline const void *zheap_test_backend_params(const void *prev,
						    char *desc)
{
	const struct zheap_backend *b = zheap_backend_next(prev);

	if (b)
		strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
	return b;
}

/* A pool on the backend that is the test's parameter. */
static inline struct zheap_pool *zheap_test_param_pool(struct kunit *test,
						       const char *name)
{
	const struct zheap_backend *b = test->param_value;
	struct zheap_pool *pool;

	pool = zheap_pool_create(name, b->name);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pool), "create on %s: %ld",
			       b->name, PTR_ERR(pool));
	return pool;
}

/* Pages in which objects start, each once. */
static inline unsigned int zheap_test_object_pages(struct zheap_pool *pool,
						   const unsigned long *handles,
						   unsigned int n,
						   struct page **pages)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;
	unsigned int i, j, nr = 0;

	for (i = 0; i < n; i++) {
		struct page *page;
		unsigned long loc;

		if (!zheap_handle_lookup(pool, handles[i], &loc))
			return 0;
		page = ops->obj_page(pool->bpool, loc);
		for (j = 0; j < nr; j++)
			if (pages[j] == page)
				break;
		if (j == nr)
			pages[nr++] = page;
	}
	return nr;
}

/*
 * The backend's per-class detail (debugfs <pool>/classes) as text, NUL
 * terminated; the case fails if it did not fit.
 */
static inline char *zheap_test_classes(struct kunit *test,
				       struct zheap_pool *pool)
{
	struct seq_file m = { .size = 4 * PAGE_SIZE };

	KUNIT_ASSERT_NOT_NULL(test, pool->backend->ops->show_classes);
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	pool->backend->ops->show_classes(pool->bpool, &m);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';
	return m.buf;
}

/* Fill @buf with a pattern that depends on @id, so objects differ. */
static inline void zheap_test_fill(u8 *buf, size_t len, unsigned long id)
{
	zheap_pattern_fill(buf, 0, len, id, 0);
}

/* Number of bytes of @buf that differ from the pattern for @id. */
static inline size_t zheap_test_mismatch(const u8 *buf, size_t len,
					 unsigned long id)
{
	return zheap_pattern_mismatch(buf, 0, len, id, 0);
}

/* Allocate an object of @size and write the pattern for @id into it. */
static inline unsigned long zheap_test_store(struct kunit *test,
					     struct zheap_pool *pool,
					     size_t size, unsigned long id,
					     u8 *buf)
{
	unsigned long handle = 0;

	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, size, GFP_KERNEL, &handle), 0);
	zheap_test_fill(buf, size, id);
	KUNIT_ASSERT_EQ(test, zheap_write_object(pool, handle, buf, size), 0);
	return handle;
}

/* Read the object back and count the bytes that are not as written. */
static inline size_t zheap_test_check(struct kunit *test,
				      struct zheap_pool *pool,
				      unsigned long handle, size_t size,
				      unsigned long id, u8 *buf)
{
	memset(buf, 0, size);
	KUNIT_EXPECT_EQ(test, zheap_read_object(pool, handle, buf, size), 0);
	return zheap_test_mismatch(buf, size, id);
}

/*
 * Free @handles (0, which is never a handle, marks one freed already),
 * check the pool holds no page, destroy it.
 */
static inline void zheap_test_free_all(struct kunit *test,
				       struct zheap_pool *pool,
				       const unsigned long *handles,
				       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (handles[i])
			KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}

/*
 * Declare a WARN that the case provokes on purpose, by a piece of its
 * message.  scripts/klog.py admits one WARN from zheap's sources whose
 * message contains @msg while this case (or parameter) runs; any other
 * WARN fails the venue, and so does this one once the case has ended.
 * Declare it before the call: a WARN_ONCE() that an earlier case fired
 * already stays silent, which is why a declaration admits, not demands.
 */
static inline void zheap_test_expect_warn(struct kunit *test, const char *msg)
{
	kunit_info(test, "zheap-expect-warn: %s\n", msg);
}

/*
 * Move the case's kthread into a new memcg @name (tests/zheap_test.c) and
 * return it; it is left, removed and released when the case ends.
 */
struct mem_cgroup *zheap_test_memcg_enter(struct kunit *test, const char *name);

/*
 * zheap.compact_threshold=@pct (tests/zheap_test.c) until the case ends,
 * when the value it had is put back.  The suites boot with 0 (their
 * page counts are exact); a case about background compaction sets it.
 */
void zheap_test_set_compact_threshold(struct kunit *test, unsigned int pct);

/* zheap_test.seed= (tests/zheap_test.c); 0: draw one per case. */
extern u64 zheap_test_seed_param;

/*
 * A seeded PRNG; the seed is printed so a failure can be replayed with
 * zheap_test.seed=.
 */
static inline void zheap_test_seed(struct kunit *test, struct rnd_state *rnd)
{
	u64 seed = zheap_test_seed_param ?: get_random_u64();

	kunit_info(test, "seed %llu\n", seed);
	prandom_seed_state(rnd, seed);
}

static inline void zheap_test_shuffle(struct rnd_state *rnd,
				      unsigned int *order, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		unsigned int j = prandom_u32_state(rnd) % i;

		swap(order[i - 1], order[j]);
	}
}

#endif /* _ZHEAP_TEST_UTIL_H */
