// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the object LRU and writeback (lru/), run over every backend.
 *
 * A test consumer keeps its objects' handles in an array and plays the
 * lower tier: its writeback callback checks the data it is given against
 * the pattern the object was written with, records which object it got,
 * and answers as the case scripts it (take, refuse, ask again).  The
 * cases check the exact sequence written back, what stays and reads back
 * intact, and counters that must balance.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include "zheap_test_util.h"

#define LRU_OBJS	64
#define LRU_RACE_OBJS	1024

enum lru_answer {
	TAKE,
	REFUSE,
	AGAIN_TWICE,	/* -EAGAIN twice, then take */
	AGAIN_ALWAYS,
	FREE_IT,	/* the consumer frees the object, then refuses it */
	FREE_TWICE,	/* as FREE_IT, and its second free is refused */
	READ_AND_MOVE,	/* read it and migrate its page, then take it */
};

struct lru_consumer {
	struct kunit *test;
	struct zheap_pool *pool;
	unsigned long *orig;		/* handles as allocated */
	unsigned long *handles;		/* 0 once gone, for the race case */
	unsigned int n;
	enum lru_answer answer[LRU_OBJS];
	unsigned int calls[LRU_OBJS];
	unsigned int written[LRU_RACE_OBJS];	/* ids, in the order taken */
	unsigned int nr_written;
	unsigned int taken;
	size_t bad;
	u8 *buf;
	unsigned int all_calls;		/* every call of the callback */
	bool refuse_all;
	struct completion done;
	/* block_next: the next call waits in the callback for @mapped */
	bool block_next;
	unsigned long blocked;
	struct completion in_callback, mapped;
};

static size_t obj_size(unsigned int i)
{
	return 40 + (i * 337) % (PAGE_SIZE - 40);
}

/*
 * The object @handle holds: a live one first (a handle value comes back
 * once its object was written back), else one the consumer let go of.
 */
static int id_of(struct lru_consumer *c, unsigned long handle)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (READ_ONCE(c->handles[i]) == handle)
			return i;
	for (i = 0; i < c->n; i++)
		if (c->orig[i] == handle)
			return i;
	return -1;
}

/* Move the page of @handle the way the kernel's compaction does. */
static int move_object_page(struct lru_consumer *c, unsigned long handle)
{
	const struct zheap_backend_ops *ops = c->pool->backend->ops;
	struct page *src, *dst = alloc_page(GFP_KERNEL);
	unsigned long loc;
	int err = -EINVAL;

	if (!dst || !zheap_handle_lookup(c->pool, handle, &loc))
		goto out;
	src = ops->obj_page(c->pool->bpool, loc);
	get_page(src);
	lock_page(src);
	lock_page(dst);
	err = zheap_isolate_page(src) ? zheap_migrate_page(dst, src) : -EBUSY;
	unlock_page(dst);
	unlock_page(src);
	put_page(src);
out:
	if (dst)
		put_page(dst);
	return err;
}

static int consumer_writeback(struct zheap_pool *pool, unsigned long handle,
			      const void *data, size_t len, void *arg)
{
	struct lru_consumer *c = arg;
	int id = id_of(c, handle);

	c->all_calls++;
	if (c->block_next) {
		c->block_next = false;
		c->blocked = handle;
		complete(&c->in_callback);
		wait_for_completion(&c->mapped);
	}
	if (id < 0 || len != obj_size(id)) {
		c->bad++;
		return -EINVAL;
	}
	c->bad += zheap_test_mismatch(data, len, id);
	if (c->refuse_all)
		return -EBUSY;
	if (id < LRU_OBJS) {
		switch (c->answer[id]) {
		case TAKE:
			break;
		case REFUSE:
			c->calls[id]++;
			return -EBUSY;
		case AGAIN_TWICE:
			if (++c->calls[id] < 3)
				return -EAGAIN;
			break;
		case AGAIN_ALWAYS:
			c->calls[id]++;
			return -EAGAIN;
		case FREE_IT:
		case FREE_TWICE:
			c->calls[id]++;
			if (zheap_free(pool, handle))
				c->bad++;
			if (c->answer[id] == FREE_TWICE) {
				zheap_test_expect_warn(c->test, "is not live");
				if (zheap_free(pool, handle) != -EINVAL)
					c->bad++;
			}
			c->handles[id] = 0;
			return -EBUSY;
		case READ_AND_MOVE:
			c->calls[id]++;
			if (zheap_read_object(pool, handle, c->buf, len))
				c->bad++;
			c->bad += zheap_test_mismatch(c->buf, len, id);
			if (move_object_page(c, handle) != MIGRATEPAGE_SUCCESS)
				c->bad++;
			break;
		}
	}
	/* The race case's freer may have claimed the object first. */
	if (cmpxchg(&c->handles[id], handle, 0) != handle)
		return -ENOENT;
	c->written[c->nr_written++] = id;
	c->taken++;
	return 0;
}

static struct zheap_pool *lru_pool_limit(struct kunit *test,
					 struct lru_consumer *c,
					 enum zheap_lru_policy policy,
					 unsigned int n, unsigned long max_pages)
{
	const struct zheap_backend *b = test->param_value;
	struct zheap_lru_config cfg = {
		.writeback = consumer_writeback,
		.arg = c,
		.policy = policy,
		.max_pages = max_pages,
	};
	unsigned int i;

	c->test = test;
	c->n = n;
	c->orig = kunit_kcalloc(test, n, sizeof(*c->orig), GFP_KERNEL);
	c->handles = kunit_kcalloc(test, n, sizeof(*c->handles), GFP_KERNEL);
	c->buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, c->orig && c->handles && c->buf);
	c->pool = zheap_pool_create_lru("kunit-lru", b->name, &cfg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c->pool), "create on %s: %ld",
			       b->name, PTR_ERR(c->pool));
	for (i = 0; i < n; i++) {
		c->orig[i] = zheap_test_store(test, c->pool, obj_size(i), i,
					      c->buf);
		c->handles[i] = c->orig[i];
		KUNIT_ASSERT_EQ(test, zheap_lru_add(c->pool, c->orig[i]), 0);
	}
	if (!max_pages)
		KUNIT_EXPECT_EQ(test, zheap_lru_count(c->pool), n);
	return c->pool;
}

static struct zheap_pool *lru_pool(struct kunit *test, struct lru_consumer *c,
				   enum zheap_lru_policy policy,
				   unsigned int n)
{
	return lru_pool_limit(test, c, policy, n, 0);
}

static void read_one(struct kunit *test, struct lru_consumer *c,
		     unsigned int id)
{
	KUNIT_EXPECT_EQ(test, zheap_test_check(test, c->pool, c->handles[id],
					       obj_size(id), id, c->buf), 0);
}

/* Survivors read back intact; counters equal the survivors. */
static void expect_survivors(struct kunit *test, struct lru_consumer *c)
{
	unsigned long live = 0;
	struct zheap_stats s;
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		if (!c->handles[i]) {
			unsigned long loc;

			/* Its handle is dead, unless a later object got it. */
			if (id_of(c, c->orig[i]) == i)
				KUNIT_EXPECT_FALSE(test,
						   zheap_handle_lookup(c->pool,
								       c->orig[i],
								       &loc));
			continue;
		}
		KUNIT_EXPECT_EQ(test, zheap_test_check(test, c->pool,
						       c->handles[i],
						       obj_size(i), i, c->buf),
				0);
		KUNIT_EXPECT_FALSE(test, zheap_object_busy(c->pool,
							   c->handles[i]));
		bytes += obj_size(i);
		live++;
	}
	zheap_pool_stats(c->pool, &s);
	KUNIT_EXPECT_EQ(test, s.objects, live);
	KUNIT_EXPECT_EQ(test, s.handle_slots, live);
	KUNIT_EXPECT_EQ(test, s.stored_bytes, bytes);
	KUNIT_EXPECT_EQ(test, s.written_back, c->taken);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
}

static void expect_sequence(struct kunit *test, struct lru_consumer *c,
			    const unsigned int *want, unsigned int nr)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, c->nr_written, nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, c->written[i], want[i],
				    "position %u", i);
}

/*
 * Write back all LRU_OBJS objects in two shrinks (5, then the rest) and
 * check they went in the order @want, with no second chances.
 */
static void shrink_in_order(struct kunit *test, struct lru_consumer *c,
			    const unsigned int *want)
{
	struct zheap_stats s;

	KUNIT_EXPECT_EQ(test, zheap_shrink(c->pool, 5), 5);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(c->pool), LRU_OBJS - 5);
	KUNIT_EXPECT_EQ(test, zheap_shrink(c->pool, LRU_OBJS), LRU_OBJS - 5);
	expect_sequence(test, c, want, LRU_OBJS);
	expect_survivors(test, c);
	zheap_pool_stats(c->pool, &s);
	KUNIT_EXPECT_EQ(test, s.lru_objects, 0);
	KUNIT_EXPECT_EQ(test, s.wb_rotated, 0);
}

/*
 * Read each of @ids in turn, then touch object 7 and write object 20: a
 * touch and a write count as accesses too.
 */
static void access_script(struct kunit *test, struct lru_consumer *c,
			  const unsigned int *ids, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		read_one(test, c, ids[i]);
	KUNIT_EXPECT_EQ(test, zheap_lru_touch(c->pool, c->handles[7]), 0);
	zheap_test_fill(c->buf, obj_size(20), 20);
	KUNIT_EXPECT_EQ(test, zheap_write_object(c->pool, c->handles[20],
						 c->buf, obj_size(20)), 0);
}

/*
 * Exact policy: after a scripted access pattern, objects are written back
 * in exactly least-recently-used order, across two shrink calls.
 */
static void zheap_lru_test_exact_order(struct kunit *test)
{
	static const unsigned int accesses[] = { 10, 3, 50, 3, 0, 63, 10 };
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int want[LRU_OBJS], nr = 0, i, j;
	struct zheap_pool *pool;
	bool seen[LRU_OBJS] = {};

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	KUNIT_EXPECT_EQ(test, zheap_lru_count_memcg(pool, NULL), LRU_OBJS);
	access_script(test, c, accesses, ARRAY_SIZE(accesses));

	/* Never accessed, in insertion order; then by last access. */
	for (i = 0; i < ARRAY_SIZE(accesses); i++)
		seen[accesses[i]] = true;
	seen[7] = true;
	seen[20] = true;
	for (i = 0; i < LRU_OBJS; i++)
		if (!seen[i])
			want[nr++] = i;
	for (i = 0; i < ARRAY_SIZE(accesses); i++) {
		for (j = i + 1; j < ARRAY_SIZE(accesses); j++)
			if (accesses[j] == accesses[i])
				break;
		if (j == ARRAY_SIZE(accesses))
			want[nr++] = accesses[i];
	}
	want[nr++] = 7;
	want[nr++] = 20;
	KUNIT_ASSERT_EQ(test, nr, LRU_OBJS);

	shrink_in_order(test, c, want);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}

/* ULONG_MAX asks for every object: the walk's budget must not wrap. */
static void zheap_lru_test_shrink_all(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_pool *pool;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, ULONG_MAX), LRU_OBJS);
	KUNIT_EXPECT_EQ(test, zheap_shrink_memcg(pool, NULL, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), 0);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}

/*
 * A writeback frees its objects through core/'s release, which kicks
 * the pool's background compaction as a consumer's free does.
 */
static void zheap_lru_test_writeback_kicks_compaction(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_pool *pool;

	KUNIT_ASSERT_NOT_NULL(test, c);
	zheap_test_set_compact_threshold(test, 0);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	zheap_test_set_compact_threshold(test, 5);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&pool->bg_compact));
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, LRU_OBJS / 2), LRU_OBJS / 2);
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&pool->bg_compact));
	zheap_compact_flush(pool);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&pool->bg_compact));
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, ULONG_MAX), LRU_OBJS / 2);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}

#ifdef CONFIG_MEMCG
/*
 * A kthread in a memcg (as a vhost worker runs in its owner's) gets its
 * objects on that memcg's LRU, where the memcg's reclaim looks.  The
 * table and the side memory's charge come from one read of the memcg
 * (issue 19, finding 2).  Read twice, the table followed the task's
 * cgroup and the charge followed current->objcg, which a kthread has
 * not: the objects went on the root's list instead.
 */
static void zheap_lru_test_kthread_in_memcg(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct mem_cgroup *memcg;
	struct zheap_pool *pool;

	KUNIT_ASSERT_NOT_NULL(test, c);
	memcg = zheap_test_memcg_enter(test, "zheap-lru-kunit");
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	KUNIT_EXPECT_EQ(test, zheap_lru_count_memcg(pool, memcg), LRU_OBJS);
	KUNIT_EXPECT_EQ(test, zheap_lru_count_memcg(pool, NULL), 0);
	KUNIT_EXPECT_EQ(test, zheap_shrink_memcg(pool, NULL, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, zheap_shrink_memcg(pool, memcg, ULONG_MAX),
			LRU_OBJS);
	KUNIT_EXPECT_EQ(test, c->taken, LRU_OBJS);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), 0);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}
#endif

/*
 * Second chance: referenced objects are passed over once (their bit is
 * cleared), so unreferenced ones go first, each group in LRU order.
 */
static void zheap_lru_test_second_chance(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int want[LRU_OBJS], nr = 0, i;
	struct zheap_pool *pool;
	struct zheap_stats s;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_SECOND_CHANCE, LRU_OBJS);
	/* zheap_test_store() wrote every object: that is no reference. */
	for (i = 0; i < LRU_OBJS; i += 3)
		read_one(test, c, i);
	for (i = 0; i < LRU_OBJS; i++)
		if (i % 3)
			want[nr++] = i;
	for (i = 0; i < LRU_OBJS; i += 3)
		want[nr++] = i;

	/* The walk stops at 62, the last unreferenced: 63 is not reached. */
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, LRU_OBJS - 22), LRU_OBJS - 22);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.wb_rotated, 21);
	/* 63 gets its second chance now, behind the others (cleared). */
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, LRU_OBJS), 22);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.wb_rotated, 22);
	expect_sequence(test, c, want, LRU_OBJS);
	expect_survivors(test, c);
	zheap_pool_destroy(pool);
}

/*
 * Epoch policy: the first access of an epoch moves an object to the hot
 * end, later ones in the same epoch do not; after the epoch ends, the
 * next access moves it again.  The walk takes objects in list order,
 * referenced or not.  Then an epoch ends by itself once a quarter of the
 * objects (at least ZHEAP_LRU_EPOCH_MIN) have been placed.
 */
static void zheap_lru_test_epoch_order(struct kunit *test)
{
	static const unsigned int accesses[] = { 10, 3, 50, 3, 0 };
	static const unsigned int tail[] = { 10, 3, 0, 7, 20, 50 };
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int want[LRU_OBJS], nr = 0, i, j;
	struct zheap_stats s0, s;
	struct zheap_pool *pool;
	unsigned long timeout;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EPOCH, LRU_OBJS);
	/* The fill placed 64 objects: an epoch may have ended; end one now. */
	zheap_lru_end_epoch(pool);
	zheap_pool_stats(pool, &s0);
	access_script(test, c, accesses, ARRAY_SIZE(accesses));
	/* 3's second read and 50's first after the epoch: one move more. */
	zheap_lru_end_epoch(pool);
	read_one(test, c, 50);
	read_one(test, c, 50);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.lru_promoted - s0.lru_promoted, 7);
	KUNIT_EXPECT_EQ(test, s.lru_epochs - s0.lru_epochs, 1);

	for (i = 0; i < LRU_OBJS; i++) {
		for (j = 0; j < ARRAY_SIZE(tail); j++)
			if (tail[j] == i)
				break;
		if (j == ARRAY_SIZE(tail))
			want[nr++] = i;
	}
	for (j = 0; j < ARRAY_SIZE(tail); j++)
		want[nr++] = tail[j];
	KUNIT_ASSERT_EQ(test, nr, LRU_OBJS);

	shrink_in_order(test, c, want);

	/* Refill: 64 placements end an epoch without help. */
	zheap_pool_stats(pool, &s0);
	for (i = 0; i < LRU_OBJS; i++) {
		c->handles[i] = zheap_test_store(test, pool, obj_size(i), i,
						 c->buf);
		KUNIT_ASSERT_EQ(test, zheap_lru_add(pool, c->handles[i]), 0);
	}
	timeout = jiffies + 10 * HZ;
	do {
		zheap_pool_stats(pool, &s);
		if (s.lru_epochs > s0.lru_epochs)
			break;
		msleep(20);
	} while (time_before(jiffies, timeout));
	KUNIT_EXPECT_GT(test, s.lru_epochs, s0.lru_epochs);
	for (i = 0; i < LRU_OBJS; i++)
		zheap_free(pool, c->handles[i]);
	zheap_pool_destroy(pool);
}

/*
 * An LRU pool's chunk keeps its header with the LRU entries (its side
 * memory): 512 objects fill one chunk, slot 0 included, each entry names
 * its own handle, 16 bytes from the next, and the walk finds every one;
 * the LRU costs 16 bytes per slot exactly.
 */
static void zheap_lru_test_chunk_of_512(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i, slot0 = 0;
	struct zheap_pool *pool;
	struct zheap_stats s;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, 512);
	zheap_pool_stats(pool, &s);
	/* UML runs one CPU: one shard, so the 512 fill whole chunks. */
	KUNIT_EXPECT_EQ(test, s.handle_bytes, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s.lru_bytes, 16 * 512);
	for (i = 0; i < 512; i++) {
		void *entry = zheap_slot_side(pool, c->orig[i]);

		slot0 += !(c->orig[i] & 511);
		KUNIT_EXPECT_EQ(test, zheap_side_handle(pool, entry),
				c->orig[i]);
		KUNIT_EXPECT_EQ(test, entry - zheap_slot_side(pool, c->orig[0]),
				(long)((c->orig[i] & 511) - (c->orig[0] & 511)) *
				16);
	}
	KUNIT_EXPECT_EQ(test, slot0, 1);
	read_one(test, c, 0);
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, 512), 512);
	KUNIT_EXPECT_EQ(test, c->nr_written, 512);
	KUNIT_EXPECT_EQ(test, c->written[511], 0);
	expect_survivors(test, c);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.handle_bytes, 0);
	zheap_pool_destroy(pool);
}

/*
 * The callback refuses one object, asks again twice for another, and
 * always for a third: the first and third stay, on the LRU and intact.
 */
static void zheap_lru_test_refuse_and_retry(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_pool *pool;
	struct zheap_stats s;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->answer[2] = REFUSE;
	c->answer[4] = AGAIN_TWICE;
	c->answer[6] = AGAIN_ALWAYS;
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);

	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, LRU_OBJS - 2), LRU_OBJS - 2);
	KUNIT_EXPECT_EQ(test, c->calls[2], 1);
	KUNIT_EXPECT_EQ(test, c->calls[4], 3);
	KUNIT_EXPECT_EQ(test, c->calls[6], ZHEAP_WB_TRIES);
	KUNIT_EXPECT_NE(test, c->handles[2], 0);
	KUNIT_EXPECT_EQ(test, c->handles[4], 0);
	KUNIT_EXPECT_NE(test, c->handles[6], 0);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.wb_refused, 2);
	KUNIT_EXPECT_EQ(test, s.wb_retries, 4);
	/* Kept objects are back on the LRU, hot end first refused. */
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), 2);
	expect_survivors(test, c);

	/* Once the consumer takes them, they go in the order they came back. */
	c->answer[2] = TAKE;
	c->answer[6] = TAKE;
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, LRU_OBJS), 2);
	KUNIT_EXPECT_EQ(test, c->written[LRU_OBJS - 2], 2);
	KUNIT_EXPECT_EQ(test, c->written[LRU_OBJS - 1], 6);
	for (i = 0; i < LRU_OBJS; i++)
		KUNIT_EXPECT_EQ(test, c->handles[i], 0);
	expect_survivors(test, c);
	KUNIT_EXPECT_EQ(test, zheap_total_pages(pool), 0);
	zheap_pool_destroy(pool);
}

/*
 * During the callback the object can be read and its page migrated; a
 * free of it then succeeds at once and takes effect after the callback,
 * even one that refused it.
 */
static void zheap_lru_test_free_and_move_during_writeback(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_pool *pool;
	struct zheap_stats s;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->answer[0] = FREE_IT;
	c->answer[1] = READ_AND_MOVE;
	c->answer[3] = FREE_TWICE;
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);

	/* The second free of object 3 during its writeback: -EINVAL. */
	KUNIT_EXPECT_EQ(test, zheap_shrink(pool, 3), 3);
	KUNIT_EXPECT_EQ(test, c->calls[0], 1);
	KUNIT_EXPECT_EQ(test, c->calls[1], 1);
	KUNIT_EXPECT_EQ(test, c->calls[3], 1);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.wb_freed, 2);
	KUNIT_EXPECT_EQ(test, s.bad_handles, 1);
	KUNIT_EXPECT_EQ(test, s.pages_migrated, 1);
	KUNIT_EXPECT_EQ(test, s.frees, 2 + 3);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), LRU_OBJS - 5);
	expect_survivors(test, c);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

/* Consumer's frees against writeback and compaction, from a thread. */
static int race_freer(void *arg)
{
	struct lru_consumer *c = arg;
	unsigned int i;

	for (i = c->n; i-- > 0;) {
		if (i % 3 == 0) {
			unsigned long h = xchg(&c->handles[i], 0);

			if (h && zheap_free(c->pool, h))
				WRITE_ONCE(c->bad, c->bad + 1);
		}
		if (!(i % 16))
			usleep_range(20, 40);
	}
	complete(&c->done);
	return 0;
}

/*
 * Writeback, consumer frees and compaction at once: each object ends
 * exactly one way (written back, freed, or live and intact).
 */
static void zheap_lru_test_writeback_races_free(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *freer;
	struct zheap_pool *pool;
	struct zheap_stats s;
	unsigned int round;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_SECOND_CHANCE, LRU_RACE_OBJS);
	init_completion(&c->done);
	freer = kthread_run(race_freer, c, "zheap-kunit-freer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(freer));
	for (round = 0; round < 16; round++) {
		zheap_shrink(pool, LRU_RACE_OBJS / 32);
		zheap_compact(pool);
		usleep_range(20, 40);
	}
	wait_for_completion(&c->done);

	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_GT(test, c->taken, 0);
	/* Every release counts as a free: the freer's and writeback's. */
	KUNIT_EXPECT_EQ(test, s.frees, LRU_RACE_OBJS - s.objects);
	KUNIT_EXPECT_EQ(test, s.lru_objects, s.objects);
	expect_survivors(test, c);
	zheap_compact(pool);
	KUNIT_EXPECT_EQ(test, zheap_compactable_pages(pool), 0);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

static int shrink_one(void *arg)
{
	struct lru_consumer *c = arg;

	zheap_shrink(c->pool, 1);
	complete(&c->done);
	return 0;
}

/* Backends whose maps may sleep: a mapper may allocate meanwhile. */
static const void *sleepable_map_params(const void *prev, char *desc)
{
	const struct zheap_backend *b = prev;

	do
		b = zheap_test_backend_params(b, desc);
	while (b && !b->map_can_sleep);
	return b;
}

/*
 * A consumer maps an object whose writeback is in its callback, then
 * allocates at the page limit.  The walk holds wb_lock and, once the
 * callback returns, waits for the mapping's pin; the allocation must not
 * wait for the walk, or neither ever ends.
 */
static void zheap_lru_test_limit_while_mapped(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *walker;
	unsigned long *fillers;
	struct zheap_pool *pool;
	unsigned int nr;
	void *p;

	fillers = kunit_kcalloc(test, LRU_RACE_OBJS, sizeof(*fillers),
				GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, c && fillers);
	pool = lru_pool_limit(test, c, ZHEAP_LRU_EXACT, LRU_OBJS, 16);
	init_completion(&c->done);
	init_completion(&c->in_callback);
	init_completion(&c->mapped);
	c->block_next = true;
	walker = kthread_run(shrink_one, c, "zheap-kunit-walk");
	KUNIT_ASSERT_FALSE(test, IS_ERR(walker));
	wait_for_completion(&c->in_callback);
	p = zheap_map_object(pool, c->blocked, ZHEAP_MAP_RO);
	complete(&c->mapped);
	KUNIT_EXPECT_NOT_NULL(test, p);
	for (nr = 0; nr < LRU_RACE_OBJS; nr++)
		if (zheap_malloc(pool, PAGE_SIZE, GFP_KERNEL, &fillers[nr]))
			break;
	/* The limit held without the walk: -ENOSPC, not a wait. */
	KUNIT_EXPECT_LT(test, nr, LRU_RACE_OBJS);
	if (p)
		zheap_unmap_object(pool, c->blocked);
	wait_for_completion(&c->done);
	while (nr--)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, fillers[nr]), 0);
	expect_survivors(test, c);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

/*
 * The pool's shrinker, driven as reclaim drives it: it counts the LRU,
 * writes back what it is asked to, and stops for reclaim that may not
 * do I/O.
 */
static void zheap_lru_test_shrinker_writes_back(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct shrink_control sc = { .gfp_mask = GFP_NOIO, .nid = 0 };
	struct shrinker *shrinker;
	struct zheap_pool *pool;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	shrinker = zheap_lru_shrinker(pool);
	KUNIT_EXPECT_EQ(test, shrinker->count_objects(shrinker, &sc), LRU_OBJS);
	sc.nr_to_scan = 10;
	KUNIT_EXPECT_EQ(test, shrinker->scan_objects(shrinker, &sc),
			SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, c->nr_written, 0);

	sc.gfp_mask = GFP_KERNEL;
	KUNIT_EXPECT_EQ(test, shrinker->scan_objects(shrinker, &sc), 10);
	KUNIT_EXPECT_EQ(test, c->nr_written, 10);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, c->written[i], i);
	KUNIT_EXPECT_EQ(test, shrinker->count_objects(shrinker, &sc),
			LRU_OBJS - 10);
	sc.nr_to_scan = LRU_OBJS;
	KUNIT_EXPECT_EQ(test, shrinker->scan_objects(shrinker, &sc),
			LRU_OBJS - 10);
	KUNIT_EXPECT_EQ(test, shrinker->count_objects(shrinker, &sc),
			SHRINK_EMPTY);
	expect_survivors(test, c);
	zheap_pool_destroy(pool);
}

/*
 * A page limit: allocations write back (and compact) to stay under it;
 * when the lower tier takes nothing, they fail with -ENOSPC and lose
 * nothing.
 */
static void zheap_lru_test_page_limit(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned long *fillers;
	struct zheap_pool *pool;
	struct zheap_stats s;
	unsigned int nr, calls, scope;
	int err = 0;

	fillers = kunit_kcalloc(test, LRU_RACE_OBJS, sizeof(*fillers),
				GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, c && fillers);
	/* 1024 objects of 2 KiB on average would take some 500 pages. */
	pool = lru_pool_limit(test, c, ZHEAP_LRU_EXACT, LRU_RACE_OBJS, 64);
	zheap_pool_stats(pool, &s);
	/* Soft by at most one zsmalloc span (16 pages). */
	KUNIT_EXPECT_LT(test, s.pool_pages, 64 + 16);
	KUNIT_EXPECT_GT(test, s.limit_shrinks, 0);
	KUNIT_EXPECT_GT(test, c->taken, 0);
	KUNIT_EXPECT_EQ(test, s.limit_fails, 0);
	KUNIT_ASSERT_GT(test, zheap_lru_count(pool), 0);
	expect_survivors(test, c);

	/* The lower tier refuses from now on; fillers are not on the LRU. */
	c->refuse_all = true;
	for (nr = 0; nr < LRU_RACE_OBJS; nr++) {
		err = zheap_malloc(pool, PAGE_SIZE, GFP_KERNEL, &fillers[nr]);
		if (err)
			break;
	}
	KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_GT(test, s.limit_fails, 0);
	KUNIT_EXPECT_GT(test, s.wb_refused, 0);
	KUNIT_EXPECT_EQ(test, s.written_back, c->taken);
	/* Without blocking no writeback is tried: at once -ENOSPC. */
	calls = c->all_calls;
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, 64, GFP_NOWAIT, &fillers[nr]),
			-ENOSPC);
	/*
	 * The callback may do I/O: never for GFP_NOIO or GFP_NOFS, nor in a
	 * memalloc_noio or memalloc_nofs scope.  Compaction may still run.
	 */
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE, GFP_NOIO,
					   &fillers[nr]), -ENOSPC);
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE, GFP_NOFS,
					   &fillers[nr]), -ENOSPC);
	scope = memalloc_noio_save();
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE, GFP_KERNEL,
					   &fillers[nr]), -ENOSPC);
	memalloc_noio_restore(scope);
	scope = memalloc_nofs_save();
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE, GFP_KERNEL,
					   &fillers[nr]), -ENOSPC);
	memalloc_nofs_restore(scope);
	KUNIT_EXPECT_EQ(test, c->all_calls, calls);
	/* And with GFP_KERNEL outside any scope it is called again. */
	KUNIT_EXPECT_EQ(test, zheap_malloc(pool, PAGE_SIZE, GFP_KERNEL,
					   &fillers[nr]), -ENOSPC);
	KUNIT_EXPECT_GT(test, c->all_calls, calls);
	while (nr--)
		KUNIT_EXPECT_EQ(test, zheap_free(pool, fillers[nr]), 0);
	expect_survivors(test, c);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

/*
 * zheap_lru_add() of an object in use is -EBUSY and adds nothing; of a
 * dead handle -EINVAL (one WARN per boot).  Neither changes the LRU.
 */
static void zheap_lru_test_add_refuses(struct kunit *test)
{
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_pool *pool;
	unsigned long h, dead;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, 100, GFP_KERNEL, &h), 0);
	p = zheap_map_object(pool, h, ZHEAP_MAP_WO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0, 100);
	KUNIT_EXPECT_EQ(test, zheap_lru_add(pool, h), -EBUSY);
	zheap_unmap_object(pool, h);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), LRU_OBJS);

	KUNIT_ASSERT_EQ(test, zheap_malloc(pool, 100, GFP_KERNEL, &dead), 0);
	KUNIT_ASSERT_EQ(test, zheap_free(pool, dead), 0);
	zheap_test_expect_warn(test, "is not live");
	KUNIT_EXPECT_EQ(test, zheap_lru_add(pool, dead), -EINVAL);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), LRU_OBJS);

	/* Once idle, the object is added; a second add changes nothing. */
	KUNIT_EXPECT_EQ(test, zheap_lru_add(pool, h), 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_add(pool, h), 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), LRU_OBJS + 1);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, h), 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), LRU_OBJS);
	expect_survivors(test, c);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

/* Pools without an LRU: no entries, no memory, and the calls refuse. */
static void zheap_lru_test_plain_pool_pays_nothing(struct kunit *test)
{
	const struct zheap_backend *b = test->param_value;
	struct zheap_lru_config bad = { .writeback = NULL };
	struct zheap_pool *pool = zheap_test_param_pool(test, "kunit-nolru");
	struct lru_consumer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zheap_stats s;
	unsigned long h;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->buf);
	h = zheap_test_store(test, pool, 100, 1, c->buf);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.lru_bytes, 0);
	KUNIT_EXPECT_EQ(test, zheap_lru_count(pool), 0);
	KUNIT_EXPECT_NULL(test, zheap_slot_side(pool, h));
	KUNIT_EXPECT_EQ(test, zheap_lru_touch(pool, h), -EINVAL);
	KUNIT_EXPECT_EQ(test, zheap_free(pool, h), 0);
	zheap_pool_destroy(pool);

	KUNIT_EXPECT_EQ(test, PTR_ERR(zheap_pool_create_lru("kunit-bad", b->name,
							    &bad)), -EINVAL);

	/* An LRU pool's cost: one 16-byte entry per handle slot. */
	pool = lru_pool(test, c, ZHEAP_LRU_EXACT, LRU_OBJS);
	zheap_pool_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.lru_bytes,
			s.handle_bytes / PAGE_SIZE * ZHEAP_SIDE_BYTES);
	zheap_test_free_all(test, pool, c->handles, c->n);
}

static struct kunit_case zheap_lru_cases[] = {
	KUNIT_CASE_PARAM(zheap_lru_test_exact_order, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_shrink_all, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_writeback_kicks_compaction,
			 zheap_test_backend_params),
#ifdef CONFIG_MEMCG
	KUNIT_CASE_PARAM(zheap_lru_test_kthread_in_memcg,
			 zheap_test_backend_params),
#endif
	KUNIT_CASE_PARAM(zheap_lru_test_add_refuses, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_limit_while_mapped,
			 sleepable_map_params),
	KUNIT_CASE_PARAM(zheap_lru_test_second_chance,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_epoch_order, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_chunk_of_512, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_refuse_and_retry,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_free_and_move_during_writeback,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_writeback_races_free,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_shrinker_writes_back,
			 zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_page_limit, zheap_test_backend_params),
	KUNIT_CASE_PARAM(zheap_lru_test_plain_pool_pays_nothing,
			 zheap_test_backend_params),
	{}
};

static struct kunit_suite zheap_lru_suite = {
	.name = "zheap_lru",
	.test_cases = zheap_lru_cases,
};

kunit_test_suite(zheap_lru_suite);
