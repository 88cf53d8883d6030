// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the migration layer (migrate/), run over every registered backend.
 *
 * Pages are moved through the same entry points the kernel's compaction
 * uses (zheap_isolate_page() and zheap_migrate_page(), with the page
 * locked and referenced as the kernel holds it), objects through
 * zheap_compact().  Each case checks the data read back through unchanged
 * handles and counters that must balance; the race cases run a second
 * thread against the first and check the same afterwards, including that
 * no object is left pinned or locked.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include "zheap_test_util.h"

#define MIGRATE_OBJS	512

static struct zheap_pool *migrate_pool(struct kunit *test)
{
	return zheap_test_param_pool(test, "kunit-migrate");
}

/* Move @src the way the kernel does; return what the layer answered. */
static int move_page(struct kunit *test, struct page *src, bool *isolated)
{
	struct page *dst = alloc_page(GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, dst);
	get_page(src);
	lock_page(src);
	*isolated = zheap_isolate_page(src);
	lock_page(dst);
	err = zheap_migrate_page(dst, src);
	if (err == MIGRATEPAGE_SUCCESS) {
		KUNIT_EXPECT_TRUE(test, PageMovable(dst));
		KUNIT_EXPECT_FALSE(test, PageMovable(src));
		KUNIT_EXPECT_NULL(test, zheap_page_owner_of(src));
		KUNIT_EXPECT_NOT_NULL(test, zheap_page_owner_of(dst));
	}
	unlock_page(dst);
	unlock_page(src);
	put_page(src);
	put_page(dst);
	return err;
}

static size_t obj_size(unsigned int i)
{
	return 40 + (i * 337) % (PAGE_SIZE - 40);
}

static void store_all(struct kunit *test, struct zheap_pool *pool,
		      unsigned long *handles, unsigned int n, u8 *buf)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		handles[i] = zheap_test_store(test, pool, obj_size(i), i, buf);
}

static size_t check_all(struct kunit *test, struct zheap_pool *pool,
			const unsigned long *handles, unsigned int n, u8 *buf)
{
	size_t bad = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (handles[i])
			bad += zheap_test_check(test, pool, handles[i],
						obj_size(i), i, buf);
	return bad;
}

/* No object is pinned or locked, and the counters match @live objects. */
static void expect_quiet(struct kunit *test, struct zheap_pool *pool,
			 const unsigned long *handles, unsigned int n,
			 unsigned long live)
{
	u64 bytes = 0;
	struct zheap_stats s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!handles[i])
			continue;
		KUNIT_EXPECT_FALSE(test, zheap_object_busy(pool, handles[i]));
		bytes += obj_size(i);
	}
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, live);
	KUNIT_EXPECT_EQ(test, s.handle_slots, live);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, bytes);
}

/* Move every page that holds objects: all read back, handles unchanged. */
static void zheap_migrate_test_every_page_moves(struct kunit *test)
{
	struct zheap_pool *pool = migrate_pool(test);
	unsigned int i, nr, moved = 0;
	struct zheap_stats before, after;
	unsigned long *handles;
	struct page **pages;
	bool isolated;
	u8 *buf;

	handles = kunit_kcalloc(test, MIGRATE_OBJS, sizeof(*handles),
				GFP_KERNEL);
	pages = kunit_kcalloc(test, MIGRATE_OBJS, sizeof(*pages), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && pages && buf);
	store_all(test, pool, handles, MIGRATE_OBJS, buf);
	zheap_pool_stats(pool, &before);

	nr = zheap_test_object_pages(pool, handles, MIGRATE_OBJS, pages);
	KUNIT_ASSERT_GT(test, nr, 0);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ(test, move_page(test, pages[i], &isolated),
				MIGRATEPAGE_SUCCESS);
		KUNIT_EXPECT_TRUE(test, isolated);
		moved++;
	}

	KUNIT_EXPECT_EQ(test, check_all(test, pool, handles, MIGRATE_OBJS,
					buf), 0);
	zheap_pool_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.pool_pages, before.pool_pages);
	KUNIT_EXPECT_EQ(test, after.pages_migrated, moved);
	expect_quiet(test, pool, handles, MIGRATE_OBJS, MIGRATE_OBJS);
	zheap_test_free_all(test, pool, handles, MIGRATE_OBJS);
}

/*
 * A mapped object pins its page: isolation is refused and a migration
 * already under way gives up with -EAGAIN, by design, rather than wait
 * for a user who may sleep.  After the unmap the page moves.
 */
static void zheap_migrate_test_mapped_object_refuses(struct kunit *test)
{
	struct zheap_pool *pool = migrate_pool(test);
	struct zheap_stats s;
	unsigned long handle, loc;
	struct page *page;
	bool isolated;
	u8 *buf, *p;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	handle = zheap_test_store(test, pool, 1000, 7, buf);
	KUNIT_ASSERT_TRUE(test, zheap_handle_lookup(pool, handle, &loc));
	page = pool->backend->ops->obj_page(pool->bpool, loc);

	p = zheap_map_object(pool, handle, ZHEAP_MAP_RO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Copy what the map shows before anything may sleep. */
	memcpy(buf, p, 1000);
	KUNIT_EXPECT_EQ(test, move_page(test, page, &isolated), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, isolated);
	/* A free of a mapped object is refused too, and loses nothing. */
	zheap_test_expect_warn(test, "is in use");
	KUNIT_EXPECT_EQ(test, zheap_free(pool, handle), -EBUSY);
	zheap_unmap_object(pool, handle);
	KUNIT_EXPECT_EQ(test, zheap_test_mismatch(buf, 1000, 7), 0);

	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.isolate_refused, 1);
	KUNIT_EXPECT_EQ(test, s.migrate_busy, 1);
	KUNIT_EXPECT_EQ(test, s.busy_frees, 1);
	KUNIT_EXPECT_EQ(test, s.pages_migrated, 0);

	KUNIT_EXPECT_EQ(test, move_page(test, page, &isolated),
			MIGRATEPAGE_SUCCESS);
	KUNIT_EXPECT_TRUE(test, isolated);
	KUNIT_EXPECT_EQ(test, zheap_test_check(test, pool, handle, 1000, 7,
					       buf), 0);
	zheap_test_free_all(test, pool, &handle, 1);
}

/*
 * The backend frees a page while the kernel holds its page lock (as while
 * isolating or migrating it): the page is disowned at once, refused by
 * the callbacks for good (-ENOENT: no retry), still counted in the pool
 * while the kernel holds it, and let go by the work item once the lock
 * is dropped, with nothing else happening in any pool.
 */
static void zheap_migrate_test_page_freed_while_locked(struct kunit *test)
{
	long deferred0 = atomic_long_read(&zheap_pages_deferred);
	struct zheap_pool *pool = migrate_pool(test);
	unsigned long handle, loc;
	struct page *page, *dst;
	unsigned int i;
	u8 *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* A whole-page object: its page is freed with it. */
	handle = zheap_test_store(test, pool, PAGE_SIZE, 3, buf);
	KUNIT_ASSERT_TRUE(test, zheap_handle_lookup(pool, handle, &loc));
	page = pool->backend->ops->obj_page(pool->bpool, loc);
	KUNIT_ASSERT_EQ(test, zheap_total_pages(pool), 1);

	get_page(page);
	lock_page(page);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, handle), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 1);
	KUNIT_EXPECT_NULL(test, zheap_page_owner_of(page));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zheap_pages_deferred),
			deferred0 + 1);
	KUNIT_EXPECT_TRUE(test, PageMovable(page));
	KUNIT_EXPECT_FALSE(test, zheap_isolate_page(page));
	dst = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	lock_page(dst);
	KUNIT_EXPECT_EQ(test, zheap_migrate_page(dst, page), -ENOENT);
	unlock_page(dst);
	put_page(dst);
	unlock_page(page);

	/* No allocation, no compaction: the work item alone lets it go. */
	for (i = 0; i < 100 && atomic_long_read(&zheap_pages_deferred) >
			       deferred0; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zheap_pages_deferred),
			deferred0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	lock_page(page);
	KUNIT_EXPECT_FALSE(test, PageMovable(page));
	unlock_page(page);
	/* Ours is the last reference. */
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	put_page(page);
	zheap_pool_destroy(pool);
}

static void restore_slice(void *unused)
{
	WRITE_ONCE(zheap_compact_slice_ns, 2 * NSEC_PER_MSEC);
}

/*
 * Fill @n objects into handles and a buffer of the case's own (in
 * *@handlesp, *@bufp), then free a seeded random half; returns the
 * objects left.
 */
static unsigned long fill_and_free_half(struct kunit *test,
					struct zheap_pool *pool, unsigned int n,
					unsigned long **handlesp, u8 **bufp)
{
	unsigned long *handles, live = n;
	struct rnd_state rnd;
	unsigned int i;
	u8 *buf;

	handles = kunit_kcalloc(test, n, sizeof(*handles), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, handles && buf);
	*handlesp = handles;
	*bufp = buf;
	zheap_test_seed(test, &rnd);
	store_all(test, pool, handles, n, buf);
	for (i = 0; i < n; i++) {
		if (prandom_u32_state(&rnd) & 1) {
			KUNIT_EXPECT_EQ(test, zheap_free(pool, handles[i]), 0);
			handles[i] = 0;
			live--;
		}
	}
	return live;
}

/*
 * Fill, free a seeded random half, compact: exactly the pages the
 * backend's arithmetic promised are freed, the arithmetic then promises
 * nothing more, and every survivor reads back through its handle.
 */
static void zheap_migrate_test_compact_frees_ideal(struct kunit *test)
{
	struct zheap_pool *pool = migrate_pool(test);
	unsigned long *handles, ideal, freed, live;
	unsigned int n = MIGRATE_OBJS * 4;
	struct zheap_stats before, after;
	u8 *buf;

	live = fill_and_free_half(test, pool, n, &handles, &buf);

	ideal = zheap_compactable_pages(pool);
	KUNIT_EXPECT_GT(test, ideal, 0);
	zheap_pool_stats(pool, &before);
	freed = zheap_compact(pool);
	zheap_pool_stats(pool, &after);
	kunit_info(test, "pages %llu -> %llu, freed %lu of ideal %lu, moved %llu\n",
		   before.pool_pages, after.pool_pages, freed, ideal,
		   after.objects_moved);
	KUNIT_EXPECT_EQ(test, freed, ideal);
	KUNIT_EXPECT_EQ(test, before.pool_pages - after.pool_pages, freed);
	KUNIT_EXPECT_EQ(test, after.pages_compacted, freed);
	KUNIT_EXPECT_GT(test, after.objects_moved, 0);
	KUNIT_EXPECT_EQ(test, after.compact_busy, 0);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	KUNIT_EXPECT_EQ(test, check_all(test, pool, handles, n, buf), 0);
	expect_quiet(test, pool, handles, n, live);
	/* A second pass finds nothing. */
	KUNIT_EXPECT_EQ(test, zheap_compact(pool), 0);
	zheap_test_free_all(test, pool, handles, n);
}

/*
 * Background compaction: after the frees, with no call to compact and no
 * memory pressure, the pool's worker frees exactly what the backend's
 * arithmetic promised, in slices it counts, and every survivor reads
 * back through its handle.  The frees queued it; zheap_compact_flush()
 * runs its slices without their pauses.  At @threshold 100 the pool is
 * below it, so the worker waits for a quiet pool: its first look sees
 * the frees since the last one and only queues another; the second sees
 * none and compacts.
 */
static void compacts_itself(struct kunit *test, unsigned int threshold,
			    u64 slice_ns)
{
	unsigned int n = MIGRATE_OBJS * 4;
	struct zheap_stats before, after;
	struct zheap_pool *pool;
	unsigned long *handles, ideal, live;
	u8 *buf;

	zheap_test_set_compact_threshold(test, threshold);
	pool = migrate_pool(test);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_slice,
							NULL), 0);
	WRITE_ONCE(zheap_compact_slice_ns, slice_ns);
	/* Not one slice yet: the worker waits a second after a free. */
	live = fill_and_free_half(test, pool, n, &handles, &buf);
	ideal = zheap_compactable_pages(pool);
	zheap_pool_stats(pool, &before);
	KUNIT_EXPECT_GT(test, ideal, 0);
	KUNIT_EXPECT_EQ(test, ideal * 100 >= threshold * before.pool_pages,
			threshold < 100);
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&pool->bg_compact));
	if (threshold == 100) {
		KUNIT_EXPECT_TRUE(test, flush_delayed_work(&pool->bg_compact));
		zheap_pool_stats(pool, &after);
		KUNIT_EXPECT_EQ(test, after.pool_pages, before.pool_pages);
		KUNIT_EXPECT_EQ(test, after.bg_compactions, 0);
		KUNIT_EXPECT_TRUE(test,
				  delayed_work_pending(&pool->bg_compact));
	}

	zheap_compact_flush(pool);
	zheap_pool_stats(pool, &after);
	kunit_info(test, "pages %llu -> %llu of ideal %lu, %llu slices, %llu us\n",
		   before.pool_pages, after.pool_pages, ideal,
		   after.bg_compactions, after.bg_compact_ns / NSEC_PER_USEC);
	KUNIT_EXPECT_EQ(test, before.pool_pages - after.pool_pages, ideal);
	KUNIT_EXPECT_EQ(test, after.bg_pages_compacted, ideal);
	KUNIT_EXPECT_EQ(test, after.pages_compacted, ideal);
	KUNIT_EXPECT_GE(test, after.bg_compactions, slice_ns > 1 ? 1 : 2);
	KUNIT_EXPECT_EQ(test, after.compactions, after.bg_compactions);
	KUNIT_EXPECT_GT(test, after.bg_compact_ns, 0);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&pool->bg_compact));
	KUNIT_EXPECT_EQ(test, check_all(test, pool, handles, n, buf), 0);
	expect_quiet(test, pool, handles, n, live);
	zheap_test_free_all(test, pool, handles, n);
}

static void zheap_migrate_test_compacts_itself(struct kunit *test)
{
	compacts_itself(test, 5, 2 * NSEC_PER_MSEC);
}

/*
 * The same in slices of one unit each (a slice ends after the unit that
 * passes its deadline): each picks up where the last left off, and the
 * last one, which frees nothing more, ends them.
 */
static void zheap_migrate_test_compacts_itself_in_slices(struct kunit *test)
{
	compacts_itself(test, 5, 1);
}

/* Below the threshold, a quiet pool is tidied (compacts_itself()). */
static void zheap_migrate_test_tidies_when_quiet(struct kunit *test)
{
	compacts_itself(test, 100, 2 * NSEC_PER_MSEC);
}

/* zheap.compact_threshold=0: frees queue nothing, and nothing moves. */
static void zheap_migrate_test_threshold_zero_stays(struct kunit *test)
{
	unsigned int n = MIGRATE_OBJS * 4;
	struct zheap_stats before, after;
	struct zheap_pool *pool;
	unsigned long *handles;
	u8 *buf;

	zheap_test_set_compact_threshold(test, 0);
	pool = migrate_pool(test);
	fill_and_free_half(test, pool, n, &handles, &buf);
	zheap_pool_stats(pool, &before);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&pool->bg_compact));
	zheap_compact_flush(pool);
	zheap_pool_stats(pool, &after);
	KUNIT_EXPECT_EQ(test, after.pool_pages, before.pool_pages);
	KUNIT_EXPECT_EQ(test, after.bg_compactions, 0);
	KUNIT_EXPECT_EQ(test, after.compactions, 0);
	KUNIT_EXPECT_GT(test, zheap_compactable_pages(pool), 0);
	KUNIT_EXPECT_EQ(test, check_all(test, pool, handles, n, buf), 0);
	zheap_test_free_all(test, pool, handles, n);
}

struct race {
	struct kunit *test;
	struct zheap_pool *pool;
	unsigned long *handles;
	unsigned int n;
	unsigned long bad;
	unsigned long rounds;
	bool survivors_only;	/* read only what race_freer leaves */
	bool stop;
	struct completion done;
};

/*
 * Read every object again and again, counting wrong bytes.  Where the
 * backend allows it, sleep now and then with an object mapped, so that
 * moves meet a mapped object even on one CPU.
 */
static int race_reader(void *arg)
{
	struct race *r = arg;
	bool can_sleep = zheap_map_can_sleep(r->pool);
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	while (buf && !READ_ONCE(r->stop)) {
		for (i = 0; i < r->n; i++) {
			unsigned long h = READ_ONCE(r->handles[i]);

			/* One CPU, no preemption: let the others run. */
			if (!(i % 16))
				usleep_range(20, 40);
			if (!h || (r->survivors_only && i % 4 != 3))
				continue;
			if (i & 1) {
				u8 *p = zheap_map_object(r->pool, h,
							 ZHEAP_MAP_RO);

				if (can_sleep && i % 16 == 1)
					usleep_range(20, 40);
				r->bad += zheap_test_mismatch(p, obj_size(i), i);
				zheap_unmap_object(r->pool, h);
			} else {
				zheap_read_object(r->pool, h, buf, obj_size(i));
				r->bad += zheap_test_mismatch(buf, obj_size(i),
							      i);
			}
		}
		r->rounds++;
	}
	kfree(buf);
	complete(&r->done);
	return 0;
}

/*
 * Kernel-style page moves race with readers and mappers of the objects
 * in those pages: no reader ever sees a wrong byte, moves that meet a
 * user give up and succeed later, and no pin or lock is left behind.
 */
static void zheap_migrate_test_moves_race_readers(struct kunit *test)
{
	struct zheap_pool *pool = migrate_pool(test);
	struct race r = { .test = test, .pool = pool, .n = MIGRATE_OBJS };
	unsigned int i, round, nr, ok = 0, busy = 0;
	struct task_struct *reader;
	struct page **pages;
	struct zheap_stats s;
	bool isolated;
	u8 *buf;

	r.handles = kunit_kcalloc(test, r.n, sizeof(*r.handles), GFP_KERNEL);
	pages = kunit_kcalloc(test, r.n, sizeof(*pages), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r.handles && pages && buf);
	store_all(test, pool, r.handles, r.n, buf);
	init_completion(&r.done);
	reader = kthread_run(race_reader, &r, "zheap-kunit-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(reader));

	for (round = 0; round < 10; round++) {
		nr = zheap_test_object_pages(pool, r.handles, r.n, pages);
		for (i = 0; i < nr; i++) {
			int err = move_page(test, pages[i], &isolated);

			KUNIT_EXPECT_TRUE(test, err == MIGRATEPAGE_SUCCESS ||
					  err == -EAGAIN);
			if (err)
				busy++;
			else
				ok++;
			/* Let the reader run: UML has one CPU. */
			if (!(i % 8))
				usleep_range(20, 40);
		}
	}
	WRITE_ONCE(r.stop, true);
	wait_for_completion(&r.done);

	kunit_info(test, "%u pages moved, %u put off, reader rounds %lu\n",
		   ok, busy, r.rounds);
	KUNIT_EXPECT_EQ(test, r.bad, 0);
	KUNIT_EXPECT_GT(test, ok, 0);
	KUNIT_EXPECT_EQ(test, check_all(test, pool, r.handles, r.n, buf), 0);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.pages_migrated, ok);
	expect_quiet(test, pool, r.handles, r.n, r.n);
	zheap_test_free_all(test, pool, r.handles, r.n);
}

/* Free every other object, from the far end, while compaction runs. */
static int race_freer(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = r->n; i-- > 0;) {
		if (i % 4 == 1) {
			unsigned long h = xchg(&r->handles[i], 0);

			if (zheap_free(r->pool, h))
				r->bad++;
		}
		if (!(i % 64))
			usleep_range(20, 40);
	}
	complete(&r->done);
	return 0;
}

/*
 * Handles freed while compaction moves objects, and readers throughout:
 * every free succeeds exactly once, survivors read back intact, and the
 * counters equal a walk of the survivors.
 */
static void zheap_migrate_test_compact_races_free(struct kunit *test)
{
	struct zheap_pool *pool = migrate_pool(test);
	struct race fr = { .test = test, .pool = pool, .n = MIGRATE_OBJS * 4 };
	struct race rd;
	struct task_struct *freer, *reader;
	unsigned long live = 0;
	unsigned int i;
	u8 *buf;

	fr.handles = kunit_kcalloc(test, fr.n, sizeof(*fr.handles), GFP_KERNEL);
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, fr.handles && buf);
	store_all(test, pool, fr.handles, fr.n, buf);
	/* Fragment first, so compaction has work while the freer runs. */
	for (i = 0; i < fr.n; i += 2) {
		KUNIT_EXPECT_EQ(test, zheap_free(pool, fr.handles[i]), 0);
		fr.handles[i] = 0;
	}
	rd = fr;
	rd.survivors_only = true;
	init_completion(&fr.done);
	init_completion(&rd.done);
	reader = kthread_run(race_reader, &rd, "zheap-kunit-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(reader));
	freer = kthread_run(race_freer, &fr, "zheap-kunit-freer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(freer));
	for (i = 0; i < 4; i++) {
		zheap_compact(pool);
		usleep_range(20, 40);
	}
	wait_for_completion(&fr.done);
	zheap_compact(pool);
	WRITE_ONCE(rd.stop, true);
	wait_for_completion(&rd.done);

	KUNIT_EXPECT_EQ(test, fr.bad, 0);
	KUNIT_EXPECT_EQ(test, rd.bad, 0);
	for (i = 0; i < fr.n; i++)
		live += !!fr.handles[i];
	KUNIT_EXPECT_EQ(test, live, fr.n / 4);
	KUNIT_EXPECT_EQ(test, check_all(test, pool, fr.handles, fr.n, buf), 0);
	expect_quiet(test, pool, fr.handles, fr.n, live);
	/* Nothing in use any more: compaction can reach the ideal now. */
	zheap_compact(pool);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	zheap_test_free_all(test, pool, fr.handles, fr.n);
}

static struct kunit_case zheap_migrate_cases[] = {
	KUNIT_CASE_PARAM(zheap_migrate_test_every_page_moves,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_mapped_object_refuses,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_page_freed_while_locked,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_compact_frees_ideal,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_compacts_itself,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_compacts_itself_in_slices,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_threshold_zero_stays,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_tidies_when_quiet,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_moves_race_readers,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_migrate_test_compact_races_free,
			 zheap_test_backend_params),
	{}
};

static struct kunit_suite zheap_migrate_suite = {
	.name = "zheap_migrate",
	.test_cases = zheap_migrate_cases,
};

kunit_test_suite(zheap_migrate_suite);
