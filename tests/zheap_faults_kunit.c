// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: every public call of zheap with each allocation under it failing
 * in turn.  Debug UML only (FAILSLAB, FAIL_PAGE_ALLOC).
 *
 * The task's fail-nth counter (Documentation/fault-injection/) makes the
 * Nth fault point that the task passes fail: every slab and page
 * allocation, and zheap's own points (CONFIG_ZHEAP_FAULT_INJECTION).  A
 * call runs with N = 1, 2, ... until a run passes fewer than N points, so
 * each allocation under it fails once.  After a run in which a point
 * failed, the call returned -ENOMEM and changed no counter, or it
 * succeeded by a fallback; either way every object reads back as written
 * and the pool's counters equal what this suite holds (a ledger walk).
 * After each case the pool is destroyed and zheap holds no page or chunk
 * page more than before it; zheap_leaks, which runs after this suite, has
 * kmemleak look for slab objects that leaked.
 *
 * By default FAILSLAB and FAIL_PAGE_ALLOC pass over allocations that may
 * sleep, and FAIL_PAGE_ALLOC over order 0.  Their debugfs files set that;
 * those files cannot be written from the kernel (no write_iter), so the
 * suite sets the value that each file's inode points to, as a write would,
 * and puts it back at the end.
 */

#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <zheap_zs_compat.h>
#include <linux/zsmalloc.h>
#include "../migrate/migrate.h"
#include "zheap_test_util.h"

/* More fault points than any one call passes; a run past it fails. */
#define FAULTS_MAX_POINTS	256
/* Objects per case: more than a chunk of handle slots (511). */
#define FAULTS_OBJS		600

/* A fault-injection setting, changed for the suite and restored after. */
struct faults_knob {
	const char *dir;
	const char *file;
	unsigned int bytes;	/* of the value: 1 bool, 4 u32, 8 ulong */
	void *value;
	unsigned long saved;
};

static struct faults_knob faults_knobs[] = {
	{ "failslab", "ignore-gfp-wait", sizeof(bool) },
	{ "failslab", "verbose", sizeof(unsigned long) },
	{ "fail_page_alloc", "ignore-gfp-wait", sizeof(bool) },
	{ "fail_page_alloc", "ignore-gfp-highmem", sizeof(bool) },
	{ "fail_page_alloc", "min-order", sizeof(u32) },
	{ "fail_page_alloc", "verbose", sizeof(unsigned long) },
};

static unsigned long knob_get(const struct faults_knob *k)
{
	switch (k->bytes) {
	case sizeof(bool):
		return READ_ONCE(*(bool *)k->value);
	case sizeof(u32):
		return READ_ONCE(*(u32 *)k->value);
	default:
		return READ_ONCE(*(unsigned long *)k->value);
	}
}

static void knob_set(const struct faults_knob *k, unsigned long v)
{
	switch (k->bytes) {
	case sizeof(bool):
		WRITE_ONCE(*(bool *)k->value, v);
		break;
	case sizeof(u32):
		WRITE_ONCE(*(u32 *)k->value, v);
		break;
	default:
		WRITE_ONCE(*(unsigned long *)k->value, v);
	}
}

static void *knob_find(const char *dir, const char *file)
{
	struct dentry *d = debugfs_lookup(dir, NULL);
	struct dentry *f;
	void *value = NULL;

	if (!d)
		return NULL;
	f = debugfs_lookup(file, d);
	if (f) {
		value = d_inode(f)->i_private;
		dput(f);
	}
	dput(d);
	return value;
}

static int zheap_faults_suite_init(struct kunit_suite *suite)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(faults_knobs); i++) {
		struct faults_knob *k = &faults_knobs[i];

		k->value = knob_find(k->dir, k->file);
		if (!k->value) {
			pr_err("zheap_faults: no debugfs %s/%s\n", k->dir,
			       k->file);
			return -ENOENT;
		}
	}
	/* Fail every allocation, of any order, and say nothing about it. */
	for (i = 0; i < ARRAY_SIZE(faults_knobs); i++) {
		faults_knobs[i].saved = knob_get(&faults_knobs[i]);
		knob_set(&faults_knobs[i], 0);
	}
#ifdef CONFIG_ZHEAP_FAULT_INJECTION
	zheap_fail_page.verbose = 0;
	zheap_fail_slot.verbose = 0;
#endif
	return 0;
}

static void zheap_faults_suite_exit(struct kunit_suite *suite)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(faults_knobs); i++)
		if (faults_knobs[i].value)
			knob_set(&faults_knobs[i], faults_knobs[i].saved);
}

/* Make the @n-th fault point this task passes from now on fail. */
static void faults_arm(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

/* Stop failing; true if the run reached the armed point (it failed). */
static bool faults_disarm(void)
{
	bool hit = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return hit;
}

/* A pool and what this suite knows it holds. */
struct faults_ledger {
	struct kunit *test;
	struct zheap_pool *pool;
	struct mem_cgroup *memcg;		/* objects charged here */
	unsigned long handles[FAULTS_OBJS];	/* 0: not live */
	unsigned int n;				/* ids used so far */
	u8 buf[PAGE_SIZE];
	struct zheap_stats before;
	long pages0, chunks0;
	unsigned int rounds;			/* runs with a point failed */
	unsigned int errors;			/* of those, errno returns */
};

static size_t obj_size(unsigned int id)
{
	/* Every fourth a page, the rest spread over every size class. */
	return id % 4 ? 1 + (id * 997) % (PAGE_SIZE - 1) : PAGE_SIZE;
}

static struct faults_ledger *ledger_new(struct kunit *test)
{
	struct faults_ledger *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->test = test;
	l->pages0 = atomic_long_read(&zheap_pages_allocated);
	l->chunks0 = atomic_long_read(&zheap_chunks_allocated);
	return l;
}

/*
 * The ledger walk: each live object reads back as written, zheap's own
 * walk (zheap_pool_walk()) agrees with the counters, and both count the
 * objects, bytes and slots that the ledger holds.
 */
static void ledger_walk(struct faults_ledger *l, const char *when)
{
	struct kunit *test = l->test;
	u64 objects = 0, bytes = 0;
	struct zheap_stats s;
	struct zheap_walk w;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (!l->handles[i])
			continue;
		objects++;
		bytes += obj_size(i);
		KUNIT_EXPECT_EQ_MSG(test, zheap_test_check(test, l->pool,
							   l->handles[i],
							   obj_size(i), i,
							   l->buf), 0,
				    "object %u after %s", i, when);
	}
	KUNIT_EXPECT_EQ(test, zheap_pool_walk(l->pool, &w), 0);
	KUNIT_EXPECT_TRUE_MSG(test, zheap_walk_consistent(&w),
			      "walk after %s: %llu objects, %llu counted",
			      when, w.objects, w.counted);
	KUNIT_EXPECT_EQ_MSG(test, w.objects, objects, "after %s", when);
	KUNIT_EXPECT_EQ_MSG(test, w.bytes, bytes, "after %s", when);
	zheap_pool_stats(l->pool, &s);
	KUNIT_EXPECT_EQ_MSG(test, s.objects, objects, "after %s", when);
	KUNIT_EXPECT_EQ_MSG(test, s.stored_bytes, bytes, "after %s", when);
	KUNIT_EXPECT_EQ_MSG(test, s.handle_slots, objects, "after %s", when);
	KUNIT_EXPECT_EQ_MSG(test, s.pool_pages + s.run_pages,
			    zheap_total_pages(l->pool), "after %s", when);
}

/* A run in which a point failed and the call said so changed nothing. */
static void ledger_expect_unchanged(struct faults_ledger *l, const char *what,
				    unsigned int n)
{
	struct kunit *test = l->test;
	struct zheap_stats s;

	zheap_pool_stats(l->pool, &s);
	KUNIT_EXPECT_EQ_MSG(test, s.objects, l->before.objects,
			    "%s, point %u failed", what, n);
	KUNIT_EXPECT_EQ_MSG(test, s.stored_bytes, l->before.stored_bytes,
			    "%s, point %u failed", what, n);
	KUNIT_EXPECT_EQ_MSG(test, s.handle_slots, l->before.handle_slots,
			    "%s, point %u failed", what, n);
	KUNIT_EXPECT_EQ_MSG(test, s.lru_objects, l->before.lru_objects,
			    "%s, point %u failed", what, n);
	KUNIT_EXPECT_LE_MSG(test, s.pool_pages + s.run_pages,
			    l->before.pool_pages + l->before.run_pages,
			    "%s, point %u failed", what, n);
}

/* Destroy the pool: every page and chunk page it took goes back. */
static void ledger_destroy(struct faults_ledger *l, const char *what)
{
	struct kunit *test = l->test;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->handles[i])
			KUNIT_EXPECT_EQ(test, zheap_free(l->pool, l->handles[i]),
					0);
	zheap_pool_destroy(l->pool);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&zheap_pages_allocated),
			    l->pages0, "pages left after %s", what);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&zheap_chunks_allocated),
			    l->chunks0, "chunk pages left after %s", what);
	kunit_info(test, "%s: %u runs with a failed point, %u errno returns\n",
		   what, l->rounds, l->errors);
}

/* A run that passed FAULTS_MAX_POINTS points without finishing: a loop. */
static bool faults_too_many(struct kunit *test, const char *what,
			    unsigned int n)
{
	if (n <= FAULTS_MAX_POINTS)
		return false;
	KUNIT_FAIL(test, "%s passes more than %u fault points", what,
		   FAULTS_MAX_POINTS);
	return true;
}

/*
 * zheap_malloc() of object @id and its write, with each point under the
 * malloc failing in turn; the object is live when this returns.
 */
static void faults_malloc(struct faults_ledger *l, unsigned int id, gfp_t gfp)
{
	struct kunit *test = l->test;
	unsigned long h;
	unsigned int n;
	bool hit;
	int err;

	for (n = 1; !faults_too_many(test, "zheap_malloc", n); n++) {
		zheap_pool_stats(l->pool, &l->before);
		h = 0;
		faults_arm(n);
		err = zheap_malloc_memcg(l->pool, obj_size(id), gfp, l->memcg,
					 &h);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		if (err) {
			KUNIT_EXPECT_TRUE_MSG(test, hit, "malloc: %d", err);
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			l->errors++;
			ledger_expect_unchanged(l, "zheap_malloc", n);
			if (!hit)
				return;
			continue;
		}
		zheap_test_fill(l->buf, obj_size(id), id);
		KUNIT_ASSERT_EQ(test, zheap_write_object(l->pool, h, l->buf,
							 obj_size(id)), 0);
		l->handles[id] = h;
		l->n = max(l->n, id + 1);
		if (!hit)
			return;
		/* A fallback took the failure: keep it, try the next point. */
		ledger_walk(l, "a malloc that recovered");
		KUNIT_ASSERT_EQ(test, zheap_free(l->pool, h), 0);
		l->handles[id] = 0;
	}
}

/* zheap_free() of object @id, each point under it failing in turn. */
static void faults_free(struct faults_ledger *l, unsigned int id)
{
	struct kunit *test = l->test;
	unsigned int n;
	bool hit;
	int err;

	for (n = 1; !faults_too_many(test, "zheap_free", n); n++) {
		zheap_pool_stats(l->pool, &l->before);
		faults_arm(n);
		err = zheap_free(l->pool, l->handles[id]);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		if (!err) {
			l->handles[id] = 0;
			return;
		}
		KUNIT_EXPECT_TRUE_MSG(test, hit, "free: %d", err);
		l->errors++;
		ledger_expect_unchanged(l, "zheap_free", n);
		if (!hit)
			return;
	}
}

/*
 * A pool on the backend under test: its creation, FAULTS_OBJS mallocs,
 * every other object freed, then reads, writes and maps, each call with
 * each of its points failing in turn.
 */
static void faults_fill(struct faults_ledger *l,
			const struct zheap_lru_config *cfg)
{
	const struct zheap_backend *b = l->test->param_value;
	struct kunit *test = l->test;
	struct zheap_pool *pool;
	unsigned int i, n;
	bool hit;

	for (n = 1; !faults_too_many(test, "zheap_pool_create", n); n++) {
		faults_arm(n);
		pool = cfg ? zheap_pool_create_lru("kunit-faults", b->name, cfg)
			   : zheap_pool_create("kunit-faults", b->name);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		if (IS_ERR(pool)) {
			KUNIT_EXPECT_TRUE(test, hit);
			KUNIT_EXPECT_EQ(test, PTR_ERR(pool), -ENOMEM);
			l->errors++;
			KUNIT_EXPECT_EQ(test,
					atomic_long_read(&zheap_pages_allocated),
					l->pages0);
			KUNIT_EXPECT_EQ(test,
					atomic_long_read(&zheap_chunks_allocated),
					l->chunks0);
			if (!hit)
				break;
			continue;
		}
		if (!hit)
			break;
		zheap_pool_destroy(pool);
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	l->pool = pool;

	for (i = 0; i < FAULTS_OBJS; i++) {
		/* zswap's and zram's way, and a caller's that may sleep */
		faults_malloc(l, i, i % 2 ? GFP_NOWAIT | __GFP_NOWARN :
				    GFP_KERNEL);
		if (i % 64 == 63)
			ledger_walk(l, "mallocs");
	}
	ledger_walk(l, "every malloc");
	for (i = 0; i < FAULTS_OBJS; i += 2)
		faults_free(l, i);
	ledger_walk(l, "frees");
}

/* Read, write and map every live object with each point failing. */
static void faults_access(struct faults_ledger *l)
{
	struct kunit *test = l->test;
	unsigned int i, n;
	bool hit;
	int err;
	u8 *p;

	for (i = 1; i < l->n; i += 2) {
		size_t size = obj_size(i);

		for (n = 1; !faults_too_many(test, "read/write/map", n); n++) {
			zheap_test_fill(l->buf, size, i);
			faults_arm(n);
			err = zheap_write_object(l->pool, l->handles[i], l->buf,
						 size);
			if (!err)
				err = zheap_read_object(l->pool, l->handles[i],
							l->buf, size);
			p = err ? NULL : zheap_map_object(l->pool,
							  l->handles[i],
							  ZHEAP_MAP_RO);
			hit = faults_disarm();
			if (hit)
				l->rounds++;
			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_NOT_NULL(test, p);
			if (p) {
				KUNIT_EXPECT_EQ(test,
						zheap_test_mismatch(p, size, i),
						0);
				zheap_unmap_object(l->pool, l->handles[i]);
			}
			if (!hit)
				break;
		}
	}
	ledger_walk(l, "reads, writes and maps");
}

/* zheap_compact() with each point failing, until one run reaches none. */
static void faults_compact(struct faults_ledger *l)
{
	struct kunit *test = l->test;
	struct zheap_stats s;
	unsigned long freed;
	unsigned int n;
	bool hit;

	for (n = 1; !faults_too_many(test, "zheap_compact", n); n++) {
		zheap_pool_stats(l->pool, &l->before);
		faults_arm(n);
		freed = zheap_compact(l->pool);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		zheap_pool_stats(l->pool, &s);
		KUNIT_EXPECT_EQ(test, s.pages_compacted,
				l->before.pages_compacted + freed);
		ledger_walk(l, "zheap_compact");
		if (!hit)
			break;
	}
}

/*
 * Each page that holds an object moved as the kernel's migration moves
 * it, with each point under zheap's callbacks failing in turn; a page the
 * layer refused stays where it was and is tried again.
 */
static void faults_migrate(struct faults_ledger *l)
{
	struct kunit *test = l->test;
	struct page **pages;
	unsigned int i, nr, n, live = 0, moved = 0;
	unsigned long *handles;

	handles = kunit_kcalloc(test, l->n, sizeof(*handles), GFP_KERNEL);
	pages = kunit_kcalloc(test, l->n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && pages);
	for (i = 0; i < l->n; i++)
		if (l->handles[i])
			handles[live++] = l->handles[i];
	nr = zheap_test_object_pages(l->pool, handles, live, pages);
	KUNIT_ASSERT_GT(test, nr, 0);

	for (i = 0; i < nr; i++) {
		struct page *src = pages[i];

		for (n = 1; !faults_too_many(test, "migrate", n); n++) {
			struct page *dst = alloc_page(GFP_KERNEL);
			bool isolated, hit;
			int err;

			KUNIT_ASSERT_NOT_NULL(test, dst);
			get_page(src);
			lock_page(src);
			lock_page(dst);
			faults_arm(n);
			isolated = zheap_isolate_page(src);
			err = isolated ? zheap_migrate_page(dst, src) : -EBUSY;
			hit = faults_disarm();
			unlock_page(dst);
			unlock_page(src);
			put_page(src);
			put_page(dst);
			if (hit)
				l->rounds++;
			KUNIT_EXPECT_TRUE(test, isolated);
			if (err == MIGRATEPAGE_SUCCESS) {
				moved++;
				break;
			}
			KUNIT_EXPECT_TRUE_MSG(test, hit, "migrate: %d", err);
			l->errors++;
			if (!hit)
				break;
		}
	}
	KUNIT_EXPECT_EQ(test, moved, nr);
	ledger_walk(l, "migration");
}

static void zheap_faults_test_plain_pool(struct kunit *test)
{
	struct faults_ledger *l = ledger_new(test);

	faults_fill(l, NULL);
	faults_access(l);
	faults_compact(l);
	faults_migrate(l);
	ledger_destroy(l, "a plain pool");
}

/* The LRU consumer: it takes each object whole and checks its bytes. */
static int faults_writeback(struct zheap_pool *pool, unsigned long handle,
			    const void *data, size_t len, void *arg)
{
	struct faults_ledger *l = arg;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->handles[i] == handle)
			break;
	if (i == l->n || len != obj_size(i) ||
	    zheap_test_mismatch(data, len, i))
		return -EINVAL;
	l->handles[i] = 0;
	return 0;
}

/*
 * A pool with an LRU: creation (the list_lru and its shrinker), mallocs
 * (zheap_malloc_memcg() into @memcg, NULL: the root), zheap_lru_add()
 * and writeback by zheap_shrink(), with each point failing in turn.
 */
static void faults_lru(struct kunit *test, struct mem_cgroup *memcg)
{
	struct faults_ledger *l = ledger_new(test);
	struct zheap_lru_config cfg = {
		.writeback = faults_writeback,
		.arg = l,
	};
	unsigned long taken, want;
	struct zheap_stats s;
	unsigned int i, n;
	bool hit;
	int err;

	l->memcg = memcg;
	faults_fill(l, &cfg);

	for (i = 1; i < l->n; i += 2) {
		for (n = 1; !faults_too_many(test, "zheap_lru_add", n); n++) {
			zheap_pool_stats(l->pool, &l->before);
			faults_arm(n);
			err = zheap_lru_add(l->pool, l->handles[i]);
			hit = faults_disarm();
			if (hit)
				l->rounds++;
			if (!err)
				break;
			KUNIT_EXPECT_TRUE_MSG(test, hit, "lru_add: %d", err);
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			l->errors++;
			ledger_expect_unchanged(l, "zheap_lru_add", n);
			if (!hit)
				break;
		}
	}
	KUNIT_EXPECT_EQ(test, zheap_lru_count(l->pool), l->n / 2);
	KUNIT_EXPECT_EQ(test, zheap_lru_count_memcg(l->pool, memcg), l->n / 2);
	ledger_walk(l, "zheap_lru_add");

	want = zheap_lru_count(l->pool) / 2;
	for (n = 1; want && !faults_too_many(test, "zheap_shrink", n); n++) {
		faults_arm(n);
		taken = zheap_shrink(l->pool, 8);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		KUNIT_EXPECT_LE(test, taken, 8);
		want -= min(want, taken);
		ledger_walk(l, "zheap_shrink");
		if (!hit && !taken)
			break;
	}
	KUNIT_EXPECT_EQ(test, want, 0);
	zheap_pool_stats(l->pool, &s);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(l->pool), s.lru_objects);
	faults_compact(l);
	ledger_destroy(l, memcg ? "a pool with an LRU, in a new memcg" :
			   "a pool with an LRU");
}

static void zheap_faults_test_lru_pool(struct kunit *test)
{
	faults_lru(test, NULL);
}

/*
 * The same in a memcg made for the case: the first malloc also makes the
 * memcg's handle table (which readies the list_lru for it) and charges a
 * side memory page, each of which fails in turn.
 */
#ifdef CONFIG_MEMCG
static void zheap_faults_test_lru_pool_in_memcg(struct kunit *test)
{
	faults_lru(test, zheap_test_memcg_enter(test, "zheap-faults-kunit"));
}
#endif

/*
 * zram's calls: zs_create_pool() answers NULL, zs_malloc() an ERR_PTR()
 * value, when a point under them fails; zs_free() and zs_compact() keep
 * the pool whole.
 */
static void zheap_faults_test_zs_compat(struct kunit *test)
{
	struct faults_ledger *l = ledger_new(test);
	struct zheap_pool *pool;
	unsigned long h;
	unsigned int i, n;
	bool hit;

	for (n = 1; !faults_too_many(test, "zs_create_pool", n); n++) {
		faults_arm(n);
		pool = zs_create_pool("kunit-faults-zs");
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		if (!pool) {
			KUNIT_EXPECT_TRUE(test, hit);
			l->errors++;
			continue;
		}
		if (!hit)
			break;
		zs_destroy_pool(pool);
	}
	KUNIT_ASSERT_NOT_NULL(test, pool);
	l->pool = pool;

	for (i = 0; i < FAULTS_OBJS; i++) {
		for (n = 1; !faults_too_many(test, "zs_malloc", n); n++) {
			zheap_pool_stats(pool, &l->before);
			faults_arm(n);
			h = zs_malloc(pool, obj_size(i), __GFP_KSWAPD_RECLAIM |
				      __GFP_NOWARN | __GFP_HIGHMEM |
				      __GFP_MOVABLE);
			hit = faults_disarm();
			if (hit)
				l->rounds++;
			if (IS_ERR_VALUE(h)) {
				KUNIT_EXPECT_TRUE(test, hit);
				KUNIT_EXPECT_EQ(test, PTR_ERR((void *)h),
						-ENOMEM);
				l->errors++;
				ledger_expect_unchanged(l, "zs_malloc", n);
				continue;
			}
			zheap_test_fill(l->buf, obj_size(i), i);
			KUNIT_ASSERT_EQ(test, zheap_write_object(pool, h,
								 l->buf,
								 obj_size(i)),
					0);
			l->handles[i] = h;
			l->n = i + 1;
			if (!hit)
				break;
			ledger_walk(l, "a zs_malloc that recovered");
			zs_free(pool, h);
			l->handles[i] = 0;
		}
	}
	for (i = 0; i < l->n; i += 2) {
		faults_arm(1);
		zs_free(pool, l->handles[i]);
		faults_disarm();
		l->handles[i] = 0;
	}
	ledger_walk(l, "zs_free");
	for (n = 1; !faults_too_many(test, "zs_compact", n); n++) {
		faults_arm(n);
		zs_compact(pool);
		hit = faults_disarm();
		if (hit)
			l->rounds++;
		ledger_walk(l, "zs_compact");
		if (!hit)
			break;
	}
	ledger_destroy(l, "zs_* calls");
}

static struct kunit_case zheap_faults_cases[] = {
	KUNIT_CASE_PARAM_ATTR(zheap_faults_test_plain_pool,
			      zheap_test_backend_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(zheap_faults_test_lru_pool,
			      zheap_test_backend_params,
			      { .speed = KUNIT_SPEED_SLOW }),
#ifdef CONFIG_MEMCG
	KUNIT_CASE_PARAM_ATTR(zheap_faults_test_lru_pool_in_memcg,
			      zheap_test_backend_params,
			      { .speed = KUNIT_SPEED_SLOW }),
#endif
	KUNIT_CASE_SLOW(zheap_faults_test_zs_compat),
	{}
};

static struct kunit_suite zheap_faults_suite = {
	.name = "zheap_faults",
	.suite_init = zheap_faults_suite_init,
	.suite_exit = zheap_faults_suite_exit,
	.test_cases = zheap_faults_cases,
};

kunit_test_suite(zheap_faults_suite);
