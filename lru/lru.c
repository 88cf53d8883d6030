// SPDX-License-Identifier: GPL-2.0
/*
 * zheap's object LRU and writeback, the same above every backend.
 *
 * A pool created with zheap_pool_create_lru() keeps the objects its
 * consumer offers (zheap_lru_add()) on a list_lru, and gives the coldest
 * of them to the consumer's writeback callback.  The LRU is of objects,
 * not of backend pages: writing back a cold object never evicts a hot
 * neighbour, and a backend knows nothing of it.
 *
 * Memory.  An object's LRU entry is a list_head in its handle slot's side
 * memory (core/side.c), which this layer asks for when it creates the
 * LRU: 16 bytes per handle slot, in LRU pools only.  list_lru finds the
 * entry's node and memcg from the page it sits in, which is charged to
 * the memcg the object was allocated in, so no memcg pointer is kept per
 * object and none can outlive its memcg.
 *
 * Entry states.  An entry is read and written only by whoever holds its
 * object's lock L (the slot word's lock bit, core/object.c):
 *
 *  - idle (entry_idle()): not on the LRU; never offered (still zeroed, as
 *    core/ hands side memory out), unlinked, or kept off it;
 *  - linked: on a list_lru list, protected by that list's lock too;
 *  - under writeback: ->next is ZHEAP_LRU_WB; ->prev is ZHEAP_LRU_FREED
 *    once the consumer has freed the object meanwhile.
 *
 * Writeback of one object (lru_isolate(), under the list's lock):
 *
 *  1. try L (never wait: the list lock is held), giving up on an object
 *     in use, or clearing its referenced bit (second chance);
 *  2. unlink the entry, mark it under writeback, copy the object out, and
 *     drop L and the list lock;
 *  3. call the consumer's callback, which may sleep.  Meanwhile readers
 *     and movers go on (the copy is what is written), and a free only
 *     marks the entry;
 *  4. take L again, waiting for users, and free the object if the callback
 *     took it or the consumer freed it, else link it at the hot end.
 *
 * Policies.  R, the referenced bit, is the slot word's mark bit, which
 * core/ keeps without a meaning of its own.  Second chance reads R, which
 * every pin sets (pool->pin_marks), and the walk clears it and rotates
 * the object instead of taking it.  Exact moves the entry to the hot end
 * on every access.  Epoch moves it on the first access of an epoch only,
 * setting R in the same update as L (zheap_object_trylock_mark()); adding
 * an object sets R too.  Placements (moves and adds) are counted in
 * @placed, and once they reach a quarter of the objects on the LRU,
 * @age_work clears R in every slot of the pool (zheap_slots_clear_marks()),
 * which starts the next epoch.  Its walk takes objects in list order.
 * tools/bench/lru_model.py gives the reasoning, and tools/bench/lru_bench.c
 * the measurements.
 *
 * So an object under writeback is never freed, its handle never reused,
 * and its data never read half-moved.  Migration and compaction do not
 * look at entries: they index by handle, which a move does not change.
 *
 * Lock order: L, then the list_lru node lock (free, add, touch); the walk
 * holds the node lock and only tries L.  @wb_lock serialises writeback
 * per pool and owns @buf; it is taken before either.  The end of an
 * object's writeback waits for the object's pins under @wb_lock (in a
 * loop that lockdep cannot see), so whoever may hold a pin only tries
 * @wb_lock: the page limit (zheap_shrink_if_idle()) and the shrinker.
 */

#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poison.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "lru.h"

#include <trace/events/zheap.h>

static_assert(sizeof(struct list_head) <= ZHEAP_SIDE_MAX);

#define ZHEAP_LRU_WB	((struct list_head *)(0x3a0 + POISON_POINTER_DELTA))
#define ZHEAP_LRU_FREED	((struct list_head *)(0x3b0 + POISON_POINTER_DELTA))

/*
 * The epoch policy ends an epoch after placements of 1/ZHEAP_LRU_EPOCH_DIV
 * of the LRU's objects, and at least ZHEAP_LRU_EPOCH_MIN.
 */
#define ZHEAP_LRU_EPOCH_DIV	4
#define ZHEAP_LRU_EPOCH_MIN	32

struct zheap_lru {
	struct list_lru list;
	struct shrinker *shrinker;
	struct zheap_pool *pool;
	struct zheap_lru_config cfg;
	/* serialises writeback in this pool; protects: @buf */
	struct mutex wb_lock;
	void *buf;
	/*
	 * Epoch policy: placements in this epoch; @age_work ends it, queued
	 * once per epoch by whoever sets @aging.
	 */
	atomic_long_t placed;
	atomic_t aging;
	struct work_struct age_work;
};

/* One walk over the LRU, under zheap_lru.wb_lock. */
struct lru_walk {
	struct zheap_pool *pool;
	unsigned long target;
	unsigned long written;
	unsigned long rotated;
};

/* Does every pin set the referenced bit?  Second chance reads it so. */
static bool lru_pin_marks(struct zheap_lru *lru)
{
	return lru->cfg.policy == ZHEAP_LRU_SECOND_CHANCE;
}

static bool lru_epoch(struct zheap_lru *lru)
{
	return lru->cfg.policy == ZHEAP_LRU_EPOCH;
}

/* Start a new epoch: no object has been placed in it yet. */
static void lru_end_epoch(struct zheap_lru *lru)
{
	long placed = atomic_long_xchg(&lru->placed, 0);

	zheap_slots_clear_marks(lru->pool);
	zheap_count(lru->pool, ZHEAP_C_LRU_EPOCHS);
	trace_zheap_lru_epoch(lru->pool, placed, list_lru_count(&lru->list));
	atomic_set_release(&lru->aging, 0);
}

static void lru_age_fn(struct work_struct *work)
{
	lru_end_epoch(container_of(work, struct zheap_lru, age_work));
}

/**
 * zheap_lru_end_epoch() - end the epoch policy's epoch now
 * @pool: a pool with an LRU
 *
 * For tests, which need to know where an epoch ends.
 *
 * Context: Process context; may sleep.
 */
void zheap_lru_end_epoch(struct zheap_pool *pool)
{
	cancel_work_sync(&pool->lru->age_work);
	lru_end_epoch(pool->lru);
}

/* An object went to the hot end: count it, and end the epoch when due. */
static void lru_placed(struct zheap_lru *lru)
{
	long placed;

	if (!lru_epoch(lru))
		return;
	placed = atomic_long_inc_return(&lru->placed);
	if (placed >= max_t(long, list_lru_count(&lru->list) /
				    ZHEAP_LRU_EPOCH_DIV, ZHEAP_LRU_EPOCH_MIN) &&
	    !atomic_xchg(&lru->aging, 1))
		queue_work(system_unbound_wq, &lru->age_work);
}

static bool entry_under_writeback(struct list_head *entry)
{
	return entry->next == ZHEAP_LRU_WB;
}

/* Not on a list and not under writeback: zeroed, or empty. */
static bool entry_idle(struct list_head *entry)
{
	return !entry->next || list_empty(entry);
}

static struct list_head *lru_entry(struct zheap_pool *pool,
				   unsigned long handle)
{
	return zheap_slot_side(pool, handle);
}

/* Link an empty entry at the hot end.  The caller holds the object's L. */
static void entry_link(struct zheap_lru *lru, struct list_head *entry)
{
	lockdep_assert(zheap_object_lock_held());
	INIT_LIST_HEAD(entry);
	list_lru_add_obj(&lru->list, entry);
}

/*
 * Ask the consumer to take the object; -EAGAIN is asked again, at most
 * ZHEAP_WB_TRIES times in all.
 */
static int lru_writeback(struct zheap_pool *pool, unsigned long handle,
			 size_t len)
{
	struct zheap_lru *lru = pool->lru;
	unsigned int tries = 0;
	int ret;

	for (;;) {
		ret = lru->cfg.writeback(pool, handle, lru->buf, len,
					 lru->cfg.arg);
		if (ret != -EAGAIN || ++tries == ZHEAP_WB_TRIES)
			return ret;
		zheap_count(pool, ZHEAP_C_WB_RETRIES);
		cond_resched();
	}
}

/* Step 4: end the writeback of @handle, whose callback returned @ret. */
static void lru_finish(struct lru_walk *w, struct list_head *entry,
		       unsigned long handle, int ret)
{
	struct zheap_pool *pool = w->pool;
	unsigned long loc, *slot;
	bool freed;

	slot = zheap_object_lock_idle(pool, handle, &loc);
	/* A marked entry keeps its object live: it cannot have gone. */
	if (WARN_ON_ONCE(!slot))
		return;
	freed = entry->prev == ZHEAP_LRU_FREED;
	trace_zheap_writeback(pool, handle, ret, freed);
	if (!ret) {
		zheap_count(pool, ZHEAP_C_WRITTEN_BACK);
		w->written++;
	}
	if (freed)
		zheap_count(pool, ZHEAP_C_WB_FREED);
	if (!ret || freed) {
		INIT_LIST_HEAD(entry);
		zheap_object_release(pool, handle, loc);
	} else {
		zheap_count(pool, ZHEAP_C_WB_REFUSED);
		entry_link(pool->lru, entry);
		zheap_slot_unlock_at(slot, loc);
	}
	preempt_enable();
}

static enum lru_status lru_isolate(struct list_head *entry,
				   struct list_lru_one *list, spinlock_t *lock,
				   void *arg)
	__must_hold(lock)
{
	struct lru_walk *w = arg;
	struct zheap_pool *pool = w->pool;
	struct zheap_lru *lru = pool->lru;
	unsigned long handle, loc, *slot;
	int len, ret;

	lockdep_assert_held(lock);
	if (w->written >= w->target)
		return LRU_STOP;
	handle = zheap_side_handle(pool, entry);
	switch (zheap_object_claim(pool, handle, lru_pin_marks(lru),
				   &slot, &loc)) {
	case ZHEAP_CLAIMED:
		break;
	case ZHEAP_CLAIM_MARKED:
		zheap_count(pool, ZHEAP_C_WB_ROTATED);
		w->rotated++;
		return LRU_ROTATE;
	case ZHEAP_CLAIM_DEAD:
		/* An entry on a list has a live object. */
		WARN_ON_ONCE(1);
		fallthrough;
	case ZHEAP_CLAIM_BUSY:
		zheap_count(pool, ZHEAP_C_WB_BUSY);
		return LRU_SKIP;
	}

	list_lru_isolate(list, entry);
	entry->next = ZHEAP_LRU_WB;
	entry->prev = NULL;
	len = zheap_copy_out(pool, loc, lru->buf, PAGE_SIZE);
	zheap_slot_unlock_at(slot, loc);
	spin_unlock(lock);

	ret = len < 0 ? len : lru_writeback(pool, handle, len);
	lru_finish(w, entry, handle, ret);

	spin_lock(lock);
	return LRU_REMOVED_RETRY;
}

/*
 * One pass of a list_lru walk visits each object at most once plus what
 * it puts back (a rotated object goes behind the pass's end, and the
 * pass ends at the list head).  A pass that gave referenced objects their
 * second chance is followed by another, which finds them cleared: at
 * most ZHEAP_LRU_PASSES in all, and only while a pass made progress.
 */
#define ZHEAP_LRU_PASSES	3

static bool walk_again(struct lru_walk *w, unsigned long written_before,
		       unsigned int pass)
{
	return w->written < w->target && pass < ZHEAP_LRU_PASSES &&
	       (w->written > written_before || w->rotated);
}

/*
 * Write back up to @nr objects of every memcg (@one_memcg false) or of
 * @memcg alone, pass after pass while passes make progress; with
 * @if_idle, nothing at all if another walk of the pool is running.
 */
static unsigned long lru_shrink(struct zheap_pool *pool, bool one_memcg,
				struct mem_cgroup *memcg, unsigned long nr,
				bool if_idle)
{
	struct zheap_lru *lru = pool->lru;
	struct lru_walk w = { .pool = pool, .target = nr };
	unsigned long before;
	unsigned int pass = 0;
	int nid;

	if (WARN_ON_ONCE(!lru))
		return 0;
	might_sleep();
	if (!if_idle)
		mutex_lock(&lru->wb_lock);
	else if (!mutex_trylock(&lru->wb_lock))
		return 0;
	do {
		before = w.written;
		w.rotated = 0;
		for_each_node_state(nid, N_NORMAL_MEMORY) {
			unsigned long budget;

			/* Saturating: zheap_shrink(pool, ULONG_MAX) is "all". */
			if (one_memcg) {
				budget = size_add(nr,
						  list_lru_count_one(&lru->list,
								     nid, memcg));
				list_lru_walk_one(&lru->list, nid, memcg,
						  lru_isolate, &w, &budget);
			} else {
				budget = size_add(nr,
						  list_lru_count_node(&lru->list,
								      nid));
				list_lru_walk_node(&lru->list, nid, lru_isolate,
						   &w, &budget);
			}
			if (w.written >= nr)
				break;
		}
	} while (walk_again(&w, before, ++pass));
	mutex_unlock(&lru->wb_lock);
	return w.written;
}

/**
 * zheap_shrink() - write back a pool's coldest objects
 * @pool: a pool with an LRU
 * @nr: how many objects to write back at most
 *
 * Walks the LRU of every node and memcg from the cold end, giving each
 * object not in use and (second-chance policy) not referenced since the
 * last walk to the writeback callback.  Objects the callback keeps move
 * to the hot end.
 *
 * Context: Process context; may sleep.  Serialised with other writeback
 * in the pool.  The caller may not hold a mapping of an object of @pool:
 * the end of an object's writeback waits for its users.
 * Return: the number of objects the callback took (and zheap freed).
 */
unsigned long zheap_shrink(struct zheap_pool *pool, unsigned long nr)
{
	return lru_shrink(pool, false, NULL, nr, false);
}
EXPORT_SYMBOL_GPL(zheap_shrink);

/**
 * zheap_shrink_if_idle() - zheap_shrink(), unless a writeback walk runs
 * @pool: a pool with an LRU
 * @nr: how many objects to write back at most
 *
 * For the page limit (zpool/pool.c): its caller is any allocation, which
 * may hold a mapping of an object that the running walk waits for, so it
 * must not wait for that walk (issue 19: the walk holds wb_lock while the
 * end of a writeback waits for pins).
 *
 * Context: Process context; may sleep.
 * Return: the number of objects the callback took; 0 at once if another
 * walk of the pool is running.
 */
unsigned long zheap_shrink_if_idle(struct zheap_pool *pool, unsigned long nr)
{
	return lru_shrink(pool, false, NULL, nr, true);
}

/**
 * zheap_shrink_memcg() - write back one memcg's coldest objects
 * @pool: a pool with an LRU
 * @memcg: the memcg (NULL: the root's own objects); the caller keeps it
 *	alive
 * @nr: how many objects to write back at most
 *
 * As zheap_shrink(), but only objects charged to @memcg itself.
 *
 * Context: Process context; may sleep.
 * Return: the number of objects the callback took.
 */
unsigned long zheap_shrink_memcg(struct zheap_pool *pool,
				 struct mem_cgroup *memcg, unsigned long nr)
{
	return lru_shrink(pool, true, memcg, nr, false);
}
EXPORT_SYMBOL_GPL(zheap_shrink_memcg);

/**
 * zheap_lru_count() - objects on a pool's LRU
 * @pool: the pool
 *
 * Context: Any context.
 * Return: the number, 0 for a pool without an LRU.
 */
unsigned long zheap_lru_count(struct zheap_pool *pool)
{
	return pool->lru ? list_lru_count(&pool->lru->list) : 0;
}
EXPORT_SYMBOL_GPL(zheap_lru_count);

/**
 * zheap_lru_count_memcg() - objects on the LRU charged to one memcg
 * @pool: the pool
 * @memcg: the memcg (NULL: the root's own); the caller keeps it alive
 *
 * Context: Any context.
 * Return: the number, summed over nodes.
 */
unsigned long zheap_lru_count_memcg(struct zheap_pool *pool,
				    struct mem_cgroup *memcg)
{
	unsigned long nr = 0;
	int nid;

	if (!pool->lru)
		return 0;
	for_each_node_state(nid, N_NORMAL_MEMORY)
		nr += list_lru_count_one(&pool->lru->list, nid, memcg);
	return nr;
}
EXPORT_SYMBOL_GPL(zheap_lru_count_memcg);

/**
 * zheap_lru_add() - offer an object for writeback
 * @pool: a pool with an LRU
 * @handle: the object, whose contents are written
 *
 * Puts the object at the hot end of its memcg's LRU.  Under second chance
 * its referenced bit is cleared (the writes that filled it are not a
 * use); under the epoch policy it is set (placed in this epoch).  Adding
 * an object that is on the LRU already, or under writeback, changes
 * nothing.
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with -EINVAL, zheap_in_interrupt()).  No one may be
 * using the object (reading, writing, mapping) during the call.
 * Return: 0; -EINVAL (one WARN per boot) if @handle is not live or the
 * pool has no LRU; -EBUSY if the object is in use.
 */
int zheap_lru_add(struct zheap_pool *pool, unsigned long handle)
{
	struct list_head *entry;
	unsigned long loc;
	int err;

	if (WARN_ON_ONCE(!pool->lru) || zheap_in_interrupt("lru_add"))
		return -EINVAL;
	preempt_disable();
	err = zheap_object_lock(pool, handle, &loc);
	if (!err) {
		entry = lru_entry(pool, handle);
		if (entry_idle(entry)) {
			/* Epoch: placed now.  Second chance: not used yet. */
			zheap_object_set_mark(pool, handle,
					      lru_epoch(pool->lru));
			INIT_LIST_HEAD(entry);
			list_lru_add_obj(&pool->lru->list, entry);
			lru_placed(pool->lru);
		}
		zheap_object_unlock(pool, handle);
	}
	preempt_enable();
	WARN_ONCE(err == -EINVAL, "zheap: lru_add: pool %s: handle %#lx is not live\n",
		  pool->name, handle);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_lru_add);

/*
 * Move a linked entry to the hot end, if its object is free to lock;
 * with @first, only at the object's first use in the epoch.
 */
static void lru_move_hot(struct zheap_pool *pool, unsigned long handle,
			 bool first)
{
	struct list_head *entry;
	unsigned long loc, *slot;

	preempt_disable();
	slot = first ? zheap_object_trylock_mark(pool, handle, &loc) :
		       zheap_object_trylock_slot(pool, handle, &loc);
	if (slot) {
		lockdep_assert(zheap_object_lock_held());
		entry = lru_entry(pool, handle);
		if (!entry_idle(entry) && !entry_under_writeback(entry)) {
			list_lru_del_obj(&pool->lru->list, entry);
			list_lru_add_obj(&pool->lru->list, entry);
			zheap_count(pool, ZHEAP_C_LRU_PROMOTED);
			lru_placed(pool->lru);
		}
		zheap_slot_unlock_at(slot, loc);
	}
	preempt_enable();
}

/**
 * zheap_lru_accessed() - the frontend read, wrote or mapped an object
 * @pool: the pool
 * @handle: the object, no longer pinned by the caller
 *
 * Under the second-chance policy the pin set the referenced bit already.
 *
 * Context: Any context but hard interrupt.
 */
void zheap_lru_accessed(struct zheap_pool *pool, unsigned long handle)
{
	switch (pool->lru->cfg.policy) {
	case ZHEAP_LRU_EXACT:
		lru_move_hot(pool, handle, false);
		break;
	case ZHEAP_LRU_EPOCH:
		lru_move_hot(pool, handle, true);
		break;
	case ZHEAP_LRU_SECOND_CHANCE:
		break;
	}
}

/**
 * zheap_lru_touch() - tell the LRU an object was used
 * @pool: a pool with an LRU
 * @handle: the object
 *
 * For consumers that use an object without zheap reading it (reads and
 * maps count by themselves).
 *
 * Context: Process or atomic context, not an interrupt handler.
 * Return: 0, or -EINVAL if @handle is not live, the pool has no LRU, or
 * the caller is an interrupt handler (zheap_in_interrupt()).
 */
int zheap_lru_touch(struct zheap_pool *pool, unsigned long handle)
{
	unsigned long loc;
	bool live;

	if (!pool->lru || zheap_in_interrupt("lru_touch"))
		return -EINVAL;
	/* Only second chance marks a use in R; the others move the entry. */
	live = lru_pin_marks(pool->lru) ?
	       zheap_object_set_mark(pool, handle, true) :
	       zheap_handle_lookup(pool, handle, &loc);
	if (!live)
		return -EINVAL;
	zheap_lru_accessed(pool, handle);
	return 0;
}
EXPORT_SYMBOL_GPL(zheap_lru_touch);

/*
 * Take a freed object, which the caller holds locked, off the LRU.
 * Return: 0 if it may be released now; -EINPROGRESS if it is under
 * writeback (the writeback releases it, and the caller only unlocks);
 * -EINVAL if it was freed during writeback already.
 */
static int lru_del(struct zheap_pool *pool, unsigned long handle)
{
	struct list_head *entry = lru_entry(pool, handle);

	lockdep_assert(zheap_object_lock_held());
	if (entry_under_writeback(entry)) {
		if (entry->prev == ZHEAP_LRU_FREED)
			return -EINVAL;
		entry->prev = ZHEAP_LRU_FREED;
		return -EINPROGRESS;
	}
	if (!entry_idle(entry))
		list_lru_del_obj(&pool->lru->list, entry);
	return 0;
}

/**
 * zheap_lru_free() - free an object of a pool with an LRU
 * @pool: a pool with an LRU
 * @handle: the object
 *
 * zheap_free()'s path for such pools: the object locked, taken off the
 * LRU, then released; out of line from the path of pools without one.
 *
 * Context: Preemption disabled.
 * Return: 0; -EINPROGRESS if it is under writeback (its writeback frees
 * it); -EBUSY if it is in use; -EINVAL if it is not a live object.
 */
int zheap_lru_free(struct zheap_pool *pool, unsigned long handle)
{
	struct page *chunk;
	unsigned long loc;
	int err = zheap_object_lock_chunk(pool, handle, &loc, &chunk);

	if (err)
		return err;
	err = lru_del(pool, handle);
	if (err)
		zheap_object_unlock(pool, handle);
	else
		zheap_object_release_chunk(pool, chunk, handle, loc);
	return err;
}

/**
 * zheap_lru_max_pages() - the page limit of a pool's LRU configuration
 * @pool: a pool with an LRU
 *
 * The frontend keeps the pool under it (zpool/pool.c: write back, then
 * compact).
 *
 * Context: Any context.
 * Return: the limit in pages; 0 for none.
 */
unsigned long zheap_lru_max_pages(struct zheap_pool *pool)
{
	return pool->lru->cfg.max_pages;
}

static unsigned long lru_shrink_count(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	struct zheap_lru *lru = shrinker->private_data;
	unsigned long nr = list_lru_shrink_count(&lru->list, sc);

	return nr ?: SHRINK_EMPTY;
}

/**
 * zheap_lru_may_write_back() - may an allocation wait for writeback?
 * @gfp: the allocation's flags
 *
 * The consumer's callback may write to a disk or a filesystem: only an
 * allocation that may block, do I/O and enter a filesystem, and is in no
 * memalloc_noio or memalloc_nofs scope, may run it.
 *
 * Context: Any context.
 * Return: true if it may.
 */
bool zheap_lru_may_write_back(gfp_t gfp)
{
	const gfp_t io = __GFP_IO | __GFP_FS;

	gfp = current_gfp_context(gfp);
	return gfpflags_allow_blocking(gfp) && (gfp & io) == io;
}

static unsigned long lru_shrink_scan(struct shrinker *shrinker,
				     struct shrink_control *sc)
{
	struct zheap_lru *lru = shrinker->private_data;
	struct lru_walk w = { .pool = lru->pool, .target = sc->nr_to_scan };

	if (!zheap_lru_may_write_back(sc->gfp_mask))
		return SHRINK_STOP;
	if (!mutex_trylock(&lru->wb_lock))
		return SHRINK_STOP;
	list_lru_shrink_walk(&lru->list, sc, lru_isolate, &w);
	mutex_unlock(&lru->wb_lock);
	return w.written;
}

/**
 * zheap_lru_create() - give a new pool an LRU
 * @pool: the pool, not yet reachable
 * @cfg: the consumer's configuration
 *
 * Context: Process context; may sleep.
 * Return: the LRU, or an ERR_PTR(): -EINVAL for a bad @cfg, -ENOMEM.
 */
struct zheap_lru *zheap_lru_create(struct zheap_pool *pool,
				   const struct zheap_lru_config *cfg)
{
	struct zheap_lru *lru;
	int err = -ENOMEM;

	if (!cfg->writeback || (cfg->policy != ZHEAP_LRU_SECOND_CHANCE &&
				cfg->policy != ZHEAP_LRU_EXACT &&
				cfg->policy != ZHEAP_LRU_EPOCH))
		return ERR_PTR(-EINVAL);
	lru = kzalloc(sizeof(*lru), GFP_KERNEL);
	if (!lru)
		return ERR_PTR(-ENOMEM);
	lru->pool = pool;
	lru->cfg = *cfg;
	mutex_init(&lru->wb_lock);
	INIT_WORK(&lru->age_work, lru_age_fn);
	lru->buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!lru->buf)
		goto err_free;
	lru->shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE |
				       SHRINKER_MEMCG_AWARE,
				       "zheap-lru-%s", pool->name);
	if (!lru->shrinker)
		goto err_free;
	err = list_lru_init_memcg(&lru->list, lru->shrinker);
	if (err)
		goto err_shrinker;
	lru->shrinker->count_objects = lru_shrink_count;
	lru->shrinker->scan_objects = lru_shrink_scan;
	lru->shrinker->private_data = lru;
	shrinker_register(lru->shrinker);
	/* What core/ needs of the LRU, as data: see struct zheap_pool. */
	pool->side_size = sizeof(struct list_head);
	pool->side_lru = &lru->list;
	pool->pin_marks = lru_pin_marks(lru);
	return lru;

err_shrinker:
	shrinker_free(lru->shrinker);
err_free:
	kfree(lru->buf);
	kfree(lru);
	return ERR_PTR(err);
}

/**
 * zheap_lru_destroy() - tear down a pool's LRU
 * @pool: a pool with an LRU, no longer used by its consumer
 *
 * Entries still linked are abandoned with the lists, before the pool's
 * objects are drained: after list_lru_destroy() no memcg reparenting can
 * reach them.
 *
 * Context: Process context; may sleep.
 */
void zheap_lru_destroy(struct zheap_pool *pool)
{
	struct zheap_lru *lru = pool->lru;

	cancel_work_sync(&lru->age_work);
	shrinker_free(lru->shrinker);
	list_lru_destroy(&lru->list);
	kfree(lru->buf);
	kfree(lru);
}

/**
 * zheap_lru_shrinker() - the shrinker that writes back a pool's objects
 * @pool: a pool with an LRU
 *
 * For tests, which drive it as reclaim would.
 *
 * Context: Any context.
 * Return: the shrinker.
 */
struct shrinker *zheap_lru_shrinker(struct zheap_pool *pool)
{
	return pool->lru->shrinker;
}

/**
 * zheap_lru_stats() - add the LRU's gauges to a stats snapshot
 * @pool: the pool
 * @stats: filled in
 *
 * Context: Any context.
 */
void zheap_lru_stats(struct zheap_pool *pool, struct zheap_stats *stats)
{
	stats->lru_objects = zheap_lru_count(pool);
	stats->lru_bytes = zheap_side_bytes(pool);
}
