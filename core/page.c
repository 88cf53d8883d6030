// SPDX-License-Identifier: GPL-2.0
/*
 * zheap backend pages: allocation, accounting, ownership and release
 * (core/).
 *
 * Every page a backend stores objects in comes from zheap_page_alloc(),
 * becomes movable in zheap_page_publish() and goes back through
 * zheap_page_free(), so the pool's page count has one writer and the
 * movable state one place where it changes.
 *
 * A published page is movable (__SetPageMovable() with the
 * movable_operations the migration layer installs at init,
 * zheap_page_set_mops(): core/ names nothing of migrate/) and its
 * page->index names its
 * struct zheap_page_owner.  Whether a page is owned changes only under
 * the owner's lock, so the migration callbacks, which take that lock,
 * see either an owned page with the backend's descriptor in place or a
 * page that is no longer zheap's.
 *
 * A page stops being movable under its page lock (the kernel reads the
 * movable_operations under it).  zheap_page_free() may run in atomic
 * context and only tries that lock: if the kernel holds it (it is
 * isolating or migrating the page), the page is disowned at once and put
 * on a deferred list, which a delayed work item (queued from the free
 * path, every jiffy while the list is not empty) and the next
 * zheap_page_alloc() or zheap_compact() go through, letting each page go
 * once its lock is free (a trylock again); zheap_pages_flush_deferred()
 * does it for certain (it sleeps on the lock).  Until it is let go the
 * page still counts in its pool's @pages, so zheap_total_pages(), zram's
 * mem_used_total and zswap's pool limit see it, and in @pages_deferred,
 * which zheap_pool_destroy() waits for.  Meanwhile the callbacks find the
 * page disowned and refuse it for good (-ENOENT, so the kernel does not
 * retry); the kernel drops its own reference when it gives up, and
 * zheap's put_page() frees the page.  This is the "page freed while it is
 * being migrated" case.
 *
 * Runs.  A movable page is placed wherever the allocator's movable lists
 * have one, and those are, while a consumer such as zswap stores, mostly
 * the pages its own workload has just freed: a pool filled that way ends
 * up with one page in every few, all through the memory the workload
 * used, and every one of those pages keeps its neighbours' free pages
 * from joining into a larger block until compaction moves it.  So a
 * backend that sets page_run_order gets its pages, once its pool holds
 * ZHEAP_RUN_MIN_PAGES, from runs: one block of 2^page_run_order pages,
 * taken only if the allocator has one free right now (no reclaim, no
 * compaction, no kswapd woken for it), split into single pages and handed
 * out one at a time; failing that, a single page.  Each page of a run is
 * an ordinary page of its own: it moves and is freed alone.  A pool holds
 * at most one run's unused pages (pool->run_left, at most 63; they cannot
 * move while they wait, as they are no one's yet): counted in
 * zheap_total_pages(), so its consumer sees them, and given back when the
 * pool's last page goes, by the compaction shrinker and by
 * zheap_pool_destroy().  A backend without runs never takes run_lock.
 */

#include <linux/gfp.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/workqueue.h>

#include "core.h"

/* Backend pages of all pools, so tests can see that a destroy frees all. */
atomic_long_t zheap_pages_allocated = ATOMIC_LONG_INIT(0);
/* Pages handed to the deferred worker and not yet let go. */
atomic_long_t zheap_pages_deferred = ATOMIC_LONG_INIT(0);

static LLIST_HEAD(deferred_pages);

/* What a deferred page's first bytes hold: it holds no object any more. */
struct deferred_page {
	struct llist_node node;
	struct zheap_pool *pool;
};

static void deferred_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(deferred_work, deferred_work_fn);
/* The migration layer's callbacks for every zheap page; set before use. */
static const struct movable_operations *page_mops;

#ifdef CONFIG_ZHEAP_FAULT_INJECTION
DECLARE_FAULT_ATTR(zheap_fail_page);

static bool page_alloc_should_fail(void)
{
	return should_fail(&zheap_fail_page, PAGE_SIZE);
}
#else
static bool page_alloc_should_fail(void)
{
	return false;
}
#endif

/**
 * zheap_page_set_mops() - install the movable_operations of zheap's pages
 * @mops: the migration layer's callbacks (migrate/migrate.c)
 *
 * Called once, at module init, before any pool exists: every page
 * zheap_page_publish() makes movable gets @mops.
 *
 * Context: Process context.
 */
void zheap_page_set_mops(const struct movable_operations *mops)
{
	page_mops = mops;
}

/**
 * zheap_page_owner_init() - set up a backend's page owner
 * @owner: embedded in the backend's structures
 * @pool: the pool
 *
 * Context: Any context.
 */
void zheap_page_owner_init(struct zheap_page_owner *owner,
			   struct zheap_pool *pool)
{
	spin_lock_init(&owner->lock);
	owner->pool = pool;
}
EXPORT_SYMBOL_GPL(zheap_page_owner_init);

/**
 * zheap_page_owner_of() - the owner of a zheap page
 * @page: any page
 *
 * Context: The result may be used only while holding @page's lock with
 * the owner's lock re-checked, or under RCU (migrate/migrate.c).
 * Return: the owner, or NULL if @page is not a published zheap page.
 */
struct zheap_page_owner *zheap_page_owner_of(struct page *page)
{
	return (struct zheap_page_owner *)READ_ONCE(page->index);
}

/* The next page of @pool's run, or NULL when it has none left. */
static struct page *run_take(struct zheap_pool *pool)
{
	struct page *page = NULL;

	if (!READ_ONCE(pool->run_left))
		return NULL;
	spin_lock(&pool->run_lock);
	if (pool->run_left) {
		page = pool->run;
		pool->run = pool->run_left > 1 ? page + 1 : NULL;
		WRITE_ONCE(pool->run_left, pool->run_left - 1);
	}
	spin_unlock(&pool->run_lock);
	return page;
}

/* Free @nr pages from @page on, each alone. */
static void run_free(struct page *page, unsigned long nr)
{
	while (nr--)
		__free_page(page++);
}

/*
 * A new run for @pool, if a block of its size is free right now: returns
 * its first page and keeps the rest.  NULL if there is none, or the pool
 * is too small to want one.
 */
static struct page *run_new(struct zheap_pool *pool, gfp_t gfp)
{
	unsigned int order = pool->backend->page_run_order;
	unsigned long nr = 1UL << order;
	struct page *page;

	if (atomic_long_read(&pool->pages) < ZHEAP_RUN_MIN_PAGES)
		return NULL;
	/*
	 * A run is an opportunity, never a need: no reclaim, no retry and no
	 * __GFP_NOFAIL, which the page allocator refuses above order 1 (it
	 * WARNs); the caller's flags go to the order-0 fallback.
	 */
	gfp &= ~(__GFP_HIGHMEM | __GFP_RECLAIM | __GFP_COMP | __GFP_NOFAIL);
	page = alloc_pages(gfp | __GFP_MOVABLE | __GFP_NOWARN | __GFP_NORETRY,
			   order);
	if (!page)
		return NULL;
	split_page(page, order);
	zheap_count(pool, ZHEAP_C_PAGE_RUNS);
	spin_lock(&pool->run_lock);
	if (!pool->run_left) {
		pool->run = page + 1;
		WRITE_ONCE(pool->run_left, nr - 1);
		nr = 1;
	}
	spin_unlock(&pool->run_lock);
	/* Another allocation installed a run meanwhile: keep only one page. */
	run_free(page + 1, nr - 1);
	return page;
}

/**
 * zheap_page_run_release() - give back the unused pages of a pool's run
 * @pool: the pool
 *
 * Context: Any context but interrupt.
 * Return: the number of pages given back.
 */
unsigned long zheap_page_run_release(struct zheap_pool *pool)
{
	unsigned long nr;
	struct page *page;

	spin_lock(&pool->run_lock);
	page = pool->run;
	nr = pool->run_left;
	pool->run = NULL;
	WRITE_ONCE(pool->run_left, 0);
	spin_unlock(&pool->run_lock);
	run_free(page, nr);
	return nr;
}

/**
 * zheap_page_alloc() - get a page for a backend to store objects in
 * @owner: the owner the page will belong to
 * @gfp: the consumer's allocation flags
 *
 * The page comes from movable page blocks (it will be movable once
 * published) and never from high memory, since backends address their
 * pages through the direct map; from the pool's run if the backend asks
 * for runs (see the top of this file).  Until zheap_page_publish() it is
 * the backend's alone.
 *
 * Context: Process or atomic context, as @gfp allows.
 * Return: the page, or NULL.
 */
struct page *zheap_page_alloc(struct zheap_page_owner *owner, gfp_t gfp)
{
	struct zheap_pool *pool = owner->pool;
	struct page *page = NULL;

	/* A page that could not be made movable must not be handed out. */
	if (page_alloc_should_fail() || WARN_ON_ONCE(!page_mops))
		return NULL;
	if (!llist_empty(&deferred_pages))
		zheap_pages_release_deferred(false);
	if (pool->backend->page_run_order)
		page = run_take(pool) ?: run_new(pool, gfp);
	if (!page)
		page = alloc_page((gfp & ~__GFP_HIGHMEM) | __GFP_MOVABLE);
	if (page) {
		/* A free page's index is whatever its last user left. */
		page->index = 0;
		atomic_long_inc(&pool->pages);
		atomic_long_inc(&zheap_pages_allocated);
	}
	return page;
}
EXPORT_SYMBOL_GPL(zheap_page_alloc);

/**
 * zheap_page_publish() - let a page move
 * @owner: its owner
 * @page: from zheap_page_alloc(), with the backend's descriptor in place
 *
 * From now on the kernel's compaction may move @page (under @owner's
 * lock), and the backend must free it with @owner's lock held.
 *
 * Context: Holds @owner's lock.
 */
void zheap_page_publish(struct zheap_page_owner *owner, struct page *page)
{
	lockdep_assert_held(&owner->lock);
	/* No one else can hold the lock of a page no one else knows. */
	if (WARN_ON_ONCE(!trylock_page(page)))
		return;
	WRITE_ONCE(page->index, (unsigned long)owner);
	__SetPageMovable(page, page_mops);
	unlock_page(page);
}
EXPORT_SYMBOL_GPL(zheap_page_publish);

/* The pool's count of a page ends; the caller let the page go. */
static void page_uncount(struct zheap_pool *pool)
{
	/* An empty pool keeps no run either. */
	if (atomic_long_dec_and_test(&pool->pages))
		zheap_page_run_release(pool);
	atomic_long_dec(&zheap_pages_allocated);
}

/**
 * zheap_page_free() - give back a page from zheap_page_alloc()
 * @owner: its owner
 * @page: the page, holding no live object
 *
 * A published page is disowned at once; if the kernel is migrating it
 * right now it is let go by a work item once the kernel lets go, and
 * counts in the pool's pages until then.
 *
 * Context: Any context but hard interrupt.  Holds @owner's lock if the
 * page was published.
 */
void zheap_page_free(struct zheap_page_owner *owner, struct page *page)
{
	struct zheap_pool *pool = owner->pool;
	struct deferred_page *d;

	if (!zheap_page_owner_of(page)) {
		page_uncount(pool);
		put_page(page);
		return;
	}
	lockdep_assert_held(&owner->lock);
	WRITE_ONCE(page->index, 0);
	if (trylock_page(page)) {
		__ClearPageMovable(page);
		unlock_page(page);
		page_uncount(pool);
		put_page(page);
		return;
	}
	/* The page holds nothing any more: its first bytes carry the link. */
	d = page_address(page);
	d->pool = pool;
	atomic_long_inc(&pool->pages_deferred);
	atomic_long_inc(&zheap_pages_deferred);
	llist_add(&d->node, &deferred_pages);
	queue_delayed_work(system_wq, &deferred_work, 1);
}
EXPORT_SYMBOL_GPL(zheap_page_free);

/**
 * zheap_pages_release_deferred() - let go of disowned pages
 * @wait: sleep on page locks; else skip pages still locked
 *
 * Context: Any context if !@wait; process context if @wait.  Pages taken
 * off the list but still locked go back on it.
 */
void zheap_pages_release_deferred(bool wait)
{
	struct llist_node *node, *next;

	llist_for_each_safe(node, next, llist_del_all(&deferred_pages)) {
		struct deferred_page *d = container_of(node, struct deferred_page,
						       node);
		struct page *page = virt_to_page(d);
		struct zheap_pool *pool = d->pool;

		if (wait) {
			lock_page(page);
		} else if (!trylock_page(page)) {
			llist_add(node, &deferred_pages);
			queue_delayed_work(system_wq, &deferred_work, 1);
			continue;
		}
		__ClearPageMovable(page);
		unlock_page(page);
		put_page(page);
		page_uncount(pool);
		atomic_long_dec(&zheap_pages_deferred);
		/* The last touch of @pool: its destroy waits for this. */
		atomic_long_dec(&pool->pages_deferred);
	}
}

static void deferred_work_fn(struct work_struct *work)
{
	zheap_pages_release_deferred(false);
}

/**
 * zheap_pages_wait_deferred() - wait until none of a pool's pages is deferred
 * @pool: a pool being destroyed
 *
 * Context: Process context; may sleep (on the page locks the kernel holds).
 */
void zheap_pages_wait_deferred(struct zheap_pool *pool)
{
	while (atomic_long_read(&pool->pages_deferred)) {
		zheap_pages_release_deferred(true);
		/* The work item may hold some of them: let it finish. */
		if (atomic_long_read(&pool->pages_deferred))
			flush_delayed_work(&deferred_work);
	}
}

/**
 * zheap_pages_flush_deferred() - let go of every deferred page
 *
 * Context: Process context; may sleep.
 */
void zheap_pages_flush_deferred(void)
{
	cancel_delayed_work_sync(&deferred_work);
	zheap_pages_release_deferred(true);
}
