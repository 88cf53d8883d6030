// SPDX-License-Identifier: GPL-2.0
/*
 * zheap compaction: move objects out of sparse units into fuller ones so
 * that whole units (a zbud page, a zsmalloc span) can be freed, for any
 * backend, through the backend ops only.
 *
 * For each kind of object (a size class), the backend offers a source
 * unit, the cheapest to empty whose objects all fit in the free room of
 * the other units of that kind (compact_source).  The backend then moves
 * the unit's objects under one hold of its lock (move_unit, which never
 * allocates a page and never uses a source): each object is locked
 * through the mover's callbacks (only tried, as page migration does),
 * given room, copied, its old slot freed, and unlocked at its new
 * location in one update of its handle slot.  compact_end frees the
 * emptied unit.  When the
 * backend offers no source for a kind, or an object cannot move (in use,
 * or room ran out), the next kind follows.  The backend decides what is
 * worth moving, so compaction stops when no further unit can be freed.
 *
 * The compactor holds one object lock at a time and only the owner lock of
 * the kind it compacts: allocation and free in other kinds go on
 * meanwhile, and a user of the object being moved waits only for one
 * object's copy.  An object in use stops the unit (compact_busy).
 *
 * A shrinker per pool runs compaction under memory pressure, counting
 * what the backend says compaction could free, and gives back the unused
 * pages of the pool's run (core/page.c); debugfs has a trigger.
 *
 * Background compaction does not wait for pressure.  Every release of an
 * object (a free, zs_free(), a writeback) queues the pool's worker a
 * second later (BG_DELAY), unless it is queued already: core/ does it,
 * from what zheap_compact_init() installs in the pool, and a release pays
 * one test of a bit.  The worker compacts if the backend says
 * that at least zheap.compact_threshold percent of the pool's pages could
 * be freed (0: never), or, below that, once the pool is quiet: if any
 * page could be freed and no object was released since its last look,
 * a second ago (a look at a pool still busy queues the next).  It
 * compacts in slices of about 2 ms, each followed by
 * a pause that holds it to zheap.compact_cpu per mille of one CPU, and
 * queues itself again until a slice finishes every kind: once started it
 * goes on to the end, below the threshold too.  It only tries
 * compact_lock: an explicit compaction running is as good.
 *
 * Locking: zheap_pool.compact_lock (a mutex) allows one compaction per
 * pool.  Order: compact_lock -> owner lock
 * -> object locks, only tried.
 */

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "migrate.h"

#include <trace/events/zheap.h>

/*
 * Units emptied between chances to reschedule: enough that a compaction
 * does not hand the CPU to every waiting worker after each unit, few
 * enough (at most 16 spans of 16 pages) to keep its stretches short.
 */
#define COMPACT_BATCH	16

/* What one compaction pass did, for its tracepoint. */
struct compact_pass {
	unsigned long pages;
	unsigned long objects;
};

/*
 * Empty one source unit of @kind into the others, adding what it moved
 * and freed to @pass.  Returns the pages freed (0 when @kind has nothing
 * more to give), or -ERANGE past the last kind.
 */
static long compact_unit(struct zheap_pool *pool, unsigned int kind,
			 struct compact_pass *pass)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;
	struct zheap_mover mv = { .pool = pool };
	unsigned int moved, freed;
	void *unit;
	int nr;

	lockdep_assert_held(&pool->compact_lock);
	nr = ops->compact_source(pool->bpool, kind, &unit);
	if (nr <= 0)
		return nr;
	/* One object in use keeps the unit: the rest stay where they are. */
	moved = ops->move_unit(pool->bpool, unit, &mv);
	freed = ops->compact_end(pool->bpool, unit);
	zheap_count_add(pool, ZHEAP_C_OBJECTS_MOVED, moved);
	zheap_count_add(pool, ZHEAP_C_PAGES_COMPACTED, freed);
	pass->objects += moved;
	pass->pages += freed;
	return mv.stopped ? 0 : freed;
}

/*
 * Compact every kind, or until @deadline (ktime ns, 0: none) passes after
 * a unit; the caller holds @pool->compact_lock.  *@done (if given) says
 * whether every kind was finished.  Returns the pages freed.
 */
static unsigned long compact_until(struct zheap_pool *pool, u64 deadline,
				   bool *done)
{
	struct compact_pass pass = { };
	unsigned long total = 0, units = 0;
	u64 start = ktime_get_ns();
	bool all = false;
	unsigned int kind;
	long freed;

	lockdep_assert_held(&pool->compact_lock);
	for (kind = 0; ; kind++) {
		while ((freed = compact_unit(pool, kind, &pass)) > 0) {
			total += freed;
			if (deadline && ktime_get_ns() > deadline)
				goto out;
			if (!(++units % COMPACT_BATCH))
				cond_resched();
		}
		if (freed == -ERANGE)
			break;
	}
	all = true;
out:
	zheap_count(pool, ZHEAP_C_COMPACTIONS);
	trace_zheap_compact(pool, pass.pages, pass.objects,
			    ktime_get_ns() - start);
	if (done)
		*done = all;
	return total;
}

static unsigned long compact_locked(struct zheap_pool *pool)
{
	return compact_until(pool, 0, NULL);
}

/*
 * Background compaction (see the top of this file).  The default
 * threshold leaves a busy pool at most about 2% holes that compaction
 * could close (a quiet one is tidied: bg_quiet()); 15 per mille of one
 * CPU is how much of it the worker may take.
 * Measured at zswap's pool limit under churn, the pool read once it stops
 * changing (Documentation/measurements.rst, "The threshold, swept at
 * (b)"): 1 and 2 kept the pool at 0.976 to 0.978 of ideal in every boot;
 * 5 did in three boots and left 0.933 in a fourth, where 4.9% of the
 * pool was free slots waiting under the threshold; 10 held 0.943.
 */
unsigned int zheap_compact_threshold = 2;
module_param_named(compact_threshold, zheap_compact_threshold, uint, 0644);
MODULE_PARM_DESC(compact_threshold,
		 "Percent of a pool's pages that compaction could free at which the pool compacts itself; below it, a pool compacts itself once no object was freed for a second (default 2; 0: neither, only when asked or under memory pressure)");

unsigned int zheap_compact_cpu = 15;
module_param_named(compact_cpu, zheap_compact_cpu, uint, 0644);
MODULE_PARM_DESC(compact_cpu,
		 "Per mille of one CPU that background compaction may take (default 15, 1..1000)");

/* From the first free to the worker's first look; and a slice's length. */
#define BG_DELAY	HZ
u64 zheap_compact_slice_ns = 2 * NSEC_PER_MSEC;	/* tests shorten it */
/* A pool this small is not worth a worker's time. */
#define BG_MIN_PAGES	16

static struct workqueue_struct *zheap_compact_wq;

/* Could background compaction free enough of @pool to be worth a slice? */
static bool bg_wanted(struct zheap_pool *pool)
{
	unsigned int pct = READ_ONCE(zheap_compact_threshold);
	unsigned long pages = atomic_long_read(&pool->pages);
	unsigned long can;

	if (!pct || pages < BG_MIN_PAGES)
		return false;
	can = zheap_compactable_pages(pool);
	return can && (u64)can * 100 >= (u64)pct * pages;
}

/*
 * Below the threshold: could @pool give pages back, and has it released no
 * object since the worker's last look?  A look at a busy pool queues the
 * next a second later, so the pool is tidied once it rests, and a pool at
 * rest is not woken again.
 */
static bool bg_quiet(struct zheap_pool *pool)
{
	unsigned long frees = zheap_count_sum(pool, ZHEAP_C_FREES);
	bool busy = frees != pool->bg_frees;

	if (atomic_long_read(&pool->pages) < BG_MIN_PAGES ||
	    !zheap_compactable_pages(pool))
		return false;
	pool->bg_frees = frees;
	if (busy)
		mod_delayed_work(zheap_compact_wq, &pool->bg_compact, BG_DELAY);
	return !busy;
}

static void bg_compact_fn(struct work_struct *work)
{
	struct zheap_pool *pool = container_of(to_delayed_work(work),
					       struct zheap_pool, bg_compact);
	unsigned int cpu = clamp_val(READ_ONCE(zheap_compact_cpu), 1, 1000);
	unsigned long freed;
	u64 start, used;
	bool done;

	/* 0 stops it; once started, it finishes below the threshold too. */
	if (!READ_ONCE(zheap_compact_threshold) ||
	    (!pool->bg_resume && !bg_wanted(pool) && !bg_quiet(pool))) {
		pool->bg_resume = false;
		return;
	}
	if (!mutex_trylock(&pool->compact_lock)) {
		mod_delayed_work(zheap_compact_wq, &pool->bg_compact, BG_DELAY);
		return;
	}
	start = ktime_get_ns();
	freed = compact_until(pool, start + READ_ONCE(zheap_compact_slice_ns),
			      &done);
	used = ktime_get_ns() - start;
	mutex_unlock(&pool->compact_lock);

	zheap_count(pool, ZHEAP_C_BG_COMPACTIONS);
	zheap_count_add(pool, ZHEAP_C_BG_PAGES_COMPACTED, freed);
	zheap_count_add(pool, ZHEAP_C_BG_COMPACT_NS, used);
	pool->bg_resume = !done;
	/* The pause, even if a free queued the item a second ahead meanwhile. */
	if (!done)
		mod_delayed_work(zheap_compact_wq, &pool->bg_compact,
				 max(1UL, nsecs_to_jiffies(div_u64(used *
						       (1000 - cpu), cpu))));
}

/**
 * zheap_compact_flush() - run a pool's background compaction to its end
 * @pool: the pool
 *
 * For tests: runs each queued slice now, without its pause, until the
 * worker stops queueing itself.
 *
 * Context: Process context; may sleep.
 */
void zheap_compact_flush(struct zheap_pool *pool)
{
	while (flush_delayed_work(&pool->bg_compact))
		;
}

/**
 * zheap_compact() - free the pages that moving objects can free
 * @pool: the pool
 *
 * Moves objects out of sparsely used pages into fuller ones until no
 * further page can be freed.  Objects in use are left where they are.
 * Handles do not change.
 *
 * Context: Process context; may sleep.  Takes the pool's compaction mutex.
 * Return: the number of pages freed.
 */
unsigned long zheap_compact(struct zheap_pool *pool)
{
	unsigned long freed;

	zheap_pages_release_deferred(false);
	mutex_lock(&pool->compact_lock);
	freed = compact_locked(pool);
	mutex_unlock(&pool->compact_lock);
	return freed;
}
EXPORT_SYMBOL_GPL(zheap_compact);

/**
 * zheap_compactable_pages() - pages zheap_compact() could free
 * @pool: the pool
 *
 * The backend's arithmetic: what perfect packing of the live objects
 * would free, if none were in use.
 *
 * Context: Any context.  The answer is exact only when the pool is quiet.
 * Return: the number of pages.
 */
unsigned long zheap_compactable_pages(struct zheap_pool *pool)
{
	return pool->backend->ops->compactable(pool->bpool);
}
EXPORT_SYMBOL_GPL(zheap_compactable_pages);

static unsigned long compact_count(struct shrinker *shrinker,
				   struct shrink_control *sc)
{
	struct zheap_pool *pool = shrinker->private_data;
	unsigned long pages = zheap_compactable_pages(pool);

	pages += READ_ONCE(pool->run_left);
	return pages ?: SHRINK_EMPTY;
}

static unsigned long compact_scan(struct shrinker *shrinker,
				  struct shrink_control *sc)
{
	struct zheap_pool *pool = shrinker->private_data;
	unsigned long freed = zheap_page_run_release(pool);

	/* Reclaim must not wait behind a compaction already running. */
	if (!mutex_trylock(&pool->compact_lock))
		return freed ?: SHRINK_STOP;
	freed += compact_locked(pool);
	mutex_unlock(&pool->compact_lock);
	return freed ?: SHRINK_STOP;
}

/**
 * zheap_compact_init() - set up a pool's compaction and its shrinker
 * @pool: the pool, whose backend is created
 *
 * Context: Process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int zheap_compact_init(struct zheap_pool *pool)
{
	mutex_init(&pool->compact_lock);
	INIT_DELAYED_WORK(&pool->bg_compact, bg_compact_fn);
	pool->release_kick_on = &zheap_compact_threshold;
	pool->release_delay = BG_DELAY;
	pool->release_wq = zheap_compact_wq;
	pool->compact_shrinker = shrinker_alloc(0, "zheap-%s", pool->name);
	if (!pool->compact_shrinker)
		return -ENOMEM;
	pool->compact_shrinker->count_objects = compact_count;
	pool->compact_shrinker->scan_objects = compact_scan;
	pool->compact_shrinker->private_data = pool;
	/*
	 * As the kernel's zsmalloc asks: a quarter of this (moving objects
	 * costs more than dropping a clean cache) left a pool filled under
	 * reclaim behind the kernel's in 4 of 9 limit boots, by up to
	 * 0.005 of density; at DEFAULT_SEEKS it was ahead in 3 of 3
	 * (measurements.rst).
	 */
	pool->compact_shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(pool->compact_shrinker);
	return 0;
}

/**
 * zheap_compact_fini() - undo zheap_compact_init()
 * @pool: the pool
 *
 * Context: Process context; may sleep.
 */
void zheap_compact_fini(struct zheap_pool *pool)
{
	/* No free can queue it again: the work item refuses from now on. */
	disable_delayed_work_sync(&pool->bg_compact);
	shrinker_free(pool->compact_shrinker);
}

/* The workqueue of background compaction: unbound, frozen for suspend. */
int zheap_compact_module_init(void)
{
	zheap_compact_wq = alloc_workqueue("zheap_compact",
					   WQ_UNBOUND | WQ_FREEZABLE, 0);
	return zheap_compact_wq ? 0 : -ENOMEM;
}

void zheap_compact_module_exit(void)
{
	destroy_workqueue(zheap_compact_wq);
}
