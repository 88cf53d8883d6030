// SPDX-License-Identifier: GPL-2.0
/*
 * zheap backend pages: allocation, ownership and release.
 *
 * Every page a backend stores objects in comes from zheap_page_alloc(),
 * becomes movable in zheap_page_publish() and goes back through
 * zheap_page_free(), so the pool's page count has one writer and the
 * movable state one place where it changes.
 *
 * A published page is movable (__SetPageMovable() with zheap's
 * movable_operations, migrate/migrate.c) and its page->index names its
 * struct zheap_page_owner.  Whether a page is owned changes only under
 * the owner's lock, so the migration callbacks, which take that lock,
 * see either an owned page with the backend's descriptor in place or a
 * page that is no longer zheap's.
 *
 * A page stops being movable under its page lock (the kernel reads the
 * movable_operations under it).  zheap_page_free() may run in atomic
 * context and only tries that lock: if the kernel holds it (it is
 * isolating or migrating the page), the page is disowned at once and put
 * on a deferred list, from which the next zheap_page_alloc() or
 * zheap_compact() lets it go once its lock is free (a trylock again), and
 * zheap_pages_flush_deferred() for certain (it sleeps on the lock).
 * Meanwhile the callbacks find the page disowned and refuse it; the
 * kernel drops its own reference when it gives up, and zheap's put_page()
 * frees the page.  This is the "page freed while it is being migrated"
 * case.  No work item is queued from the free path, which may hold any
 * consumer lock.
 */

#include <linux/gfp.h>
#include <linux/llist.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "../zpool/zheap_internal.h"
#include "migrate.h"

/* Backend pages of all pools, so tests can see that a destroy frees all. */
atomic_long_t zheap_pages_allocated = ATOMIC_LONG_INIT(0);
/* Pages handed to the deferred worker and not yet let go. */
atomic_long_t zheap_pages_deferred = ATOMIC_LONG_INIT(0);

static LLIST_HEAD(deferred_pages);

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

/**
 * zheap_page_alloc() - get a page for a backend to store objects in
 * @owner: the owner the page will belong to
 * @gfp: the consumer's allocation flags
 *
 * The page comes from movable page blocks (it will be movable once
 * published) and never from high memory, since backends address their
 * pages through the direct map.  Until zheap_page_publish() it is the
 * backend's alone.
 *
 * Context: Process or atomic context, as @gfp allows.
 * Return: the page, or NULL.
 */
struct page *zheap_page_alloc(struct zheap_page_owner *owner, gfp_t gfp)
{
	struct page *page;

	if (page_alloc_should_fail())
		return NULL;
	if (!llist_empty(&deferred_pages))
		zheap_pages_release_deferred(false);
	page = alloc_page((gfp & ~__GFP_HIGHMEM) | __GFP_MOVABLE);
	if (page) {
		/* A free page's index is whatever its last user left. */
		page->index = 0;
		atomic_long_inc(&owner->pool->pages);
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
	__SetPageMovable(page, &zheap_mops);
	unlock_page(page);
}
EXPORT_SYMBOL_GPL(zheap_page_publish);

/**
 * zheap_page_free() - give back a page from zheap_page_alloc()
 * @owner: its owner
 * @page: the page, holding no live object
 *
 * A published page is disowned at once; if the kernel is migrating it
 * right now it is let go by a worker, later.
 *
 * Context: Any context but hard interrupt.  Holds @owner's lock if the
 * page was published.
 */
void zheap_page_free(struct zheap_page_owner *owner, struct page *page)
{
	atomic_long_dec(&owner->pool->pages);
	atomic_long_dec(&zheap_pages_allocated);

	if (!zheap_page_owner_of(page)) {
		put_page(page);
		return;
	}
	lockdep_assert_held(&owner->lock);
	WRITE_ONCE(page->index, 0);
	if (trylock_page(page)) {
		__ClearPageMovable(page);
		unlock_page(page);
		put_page(page);
		return;
	}
	/* The page holds nothing any more: its first bytes carry the link. */
	atomic_long_inc(&zheap_pages_deferred);
	llist_add(page_address(page), &deferred_pages);
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
		struct page *page = virt_to_page(node);

		if (wait) {
			lock_page(page);
		} else if (!trylock_page(page)) {
			llist_add(node, &deferred_pages);
			continue;
		}
		__ClearPageMovable(page);
		unlock_page(page);
		put_page(page);
		atomic_long_dec(&zheap_pages_deferred);
	}
}

/**
 * zheap_pages_flush_deferred() - let go of every deferred page
 *
 * Context: Process context; may sleep.
 */
void zheap_pages_flush_deferred(void)
{
	zheap_pages_release_deferred(true);
}
