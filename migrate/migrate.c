// SPDX-License-Identifier: GPL-2.0
/*
 * zheap page migration: one struct movable_operations for the pages of
 * every backend.
 *
 * The kernel calls isolate_page, migrate_page and putback_page with the
 * page locked.  zheap does not take an isolated page out of the backend's
 * structures: isolation only checks that no object in the page is in use,
 * and the backend may go on placing objects in it and freeing them.
 * migrate_page does all the work, in one step, under the page's owner
 * lock (struct zheap_page_owner), which excludes placement and release in
 * the page:
 *
 *  1. ask the backend which objects the page holds (page_objects);
 *  2. lock every one of them, or give up with -EAGAIN if one is read,
 *     written or mapped right now (the kernel retries later): a move
 *     never waits for a user, and a user never sees a half-moved object,
 *     since a user pins the object before it finds its location and the
 *     lock cannot be taken while a pin is held;
 *  3. copy the page, make the copy zheap's and movable, and let the
 *     backend repoint its structures (page_replaced), which rewrites the
 *     handle slots of the objects whose location changed;
 *  4. unlock the objects and let the old page go.
 *
 * A page that its backend freed while the kernel held it (see
 * core/page.c) is found disowned under the owner lock: isolation is
 * refused and migration answers -EAGAIN until the kernel puts it back.
 *
 * The owner is found from page->index under RCU: zheap_pool_destroy()
 * disowns every page, then waits for a grace period before the backend
 * frees its owners.
 *
 * Lock order: page lock (the kernel's) -> owner lock -> object locks,
 * which are only tried here.
 */

#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>

#include "migrate.h"

#include <trace/events/zheap.h>

/*
 * Handles of one page; used under an owner lock, so never preempted.
 * Allocated at init, not DEFINE_PER_CPU(): 2 KiB per CPU would take a
 * quarter of the static per-CPU area that all modules share.
 */
struct page_handles {
	unsigned long h[ZHEAP_PAGE_OBJECTS_MAX];
};

static struct page_handles __percpu *page_handles;

/* The objects of @page, in this CPU's buffer; UINT_MAX if too many. */
static unsigned int page_objects(struct zheap_pool *pool, struct page *page,
				 unsigned long **handles)
{
	unsigned int nr;

	*handles = this_cpu_ptr(page_handles)->h;
	nr = pool->backend->ops->page_objects(pool->bpool, page, *handles,
					      ZHEAP_PAGE_OBJECTS_MAX);
	if (WARN_ON_ONCE(nr > ZHEAP_PAGE_OBJECTS_MAX))
		return UINT_MAX;
	return nr;
}

/* Under @owner's lock: is @page still its, with no object in use? */
static bool isolate_locked(struct zheap_page_owner *owner, struct page *page)
{
	unsigned int i, nr;
	unsigned long *handles;

	lockdep_assert_held(&owner->lock);
	if (zheap_page_owner_of(page) != owner)
		return false;
	nr = page_objects(owner->pool, page, &handles);
	if (nr == UINT_MAX)
		return false;
	for (i = 0; i < nr; i++) {
		if (zheap_object_busy(owner->pool, handles[i])) {
			zheap_count(owner->pool, ZHEAP_C_ISOLATE_REFUSED);
			return false;
		}
	}
	return true;
}

/**
 * zheap_isolate_page() - may the kernel take this page to move it?
 * @page: a zheap page, locked by the caller
 *
 * Refuses (and counts in isolate_refused) a page that holds an object in
 * use: it could not be moved before that use ends.  Also refuses a page
 * that is no longer zheap's.
 *
 * Context: Process or atomic context.  Takes and releases the page's
 * owner lock.
 * Return: true if the page may be isolated.
 */
bool zheap_isolate_page(struct page *page)
{
	struct zheap_page_owner *owner;
	bool ok = false;

	rcu_read_lock();
	owner = zheap_page_owner_of(page);
	if (owner) {
		spin_lock(&owner->lock);
		ok = isolate_locked(owner, page);
		spin_unlock(&owner->lock);
	}
	rcu_read_unlock();
	return ok;
}

/* Give @dst to @owner in place of @src; both pages are locked. */
static void page_switch(struct zheap_page_owner *owner, struct page *dst,
			struct page *src, const unsigned long *handles,
			unsigned int nr)
{
	struct zheap_pool *pool = owner->pool;

	lockdep_assert_held(&owner->lock);
	copy_highpage(dst, src);
	get_page(dst);
	WRITE_ONCE(dst->index, (unsigned long)owner);
	__SetPageMovable(dst, &zheap_mops);
	pool->backend->ops->page_replaced(pool->bpool, src, dst);
	zheap_objects_unlock(pool, handles, nr);
	WRITE_ONCE(src->index, 0);
	__ClearPageMovable(src);
}

/* Under @owner's lock: move @src to @dst if it is still @owner's. */
static int migrate_locked(struct zheap_page_owner *owner, struct page *dst,
			  struct page *src)
{
	unsigned long *handles;
	unsigned int nr;

	lockdep_assert_held(&owner->lock);
	if (zheap_page_owner_of(src) != owner)
		return -ENOENT;
	nr = page_objects(owner->pool, src, &handles);
	if (nr == UINT_MAX)
		return -EINVAL;
	if (!zheap_objects_trylock(owner->pool, handles, nr)) {
		zheap_count(owner->pool, ZHEAP_C_MIGRATE_BUSY);
		return -EAGAIN;
	}
	page_switch(owner, dst, src, handles, nr);
	zheap_count(owner->pool, ZHEAP_C_PAGES_MIGRATED);
	trace_zheap_page_migrated(owner->pool, page_to_pfn(src),
				  page_to_pfn(dst), nr);
	return MIGRATEPAGE_SUCCESS;
}

/**
 * zheap_migrate_page() - move a zheap page's contents to another page
 * @dst: the new page, locked, of refcount one, not yet anyone's
 * @src: a zheap page, locked, on which the caller holds a reference
 *
 * On success @dst is a published zheap page holding every object @src
 * held, with handles unchanged, and zheap's reference to @src is dropped.
 *
 * Context: Process or atomic context.  Takes and releases @src's owner
 * lock and the locks of the objects in @src.
 * Return: MIGRATEPAGE_SUCCESS; -EAGAIN if an object in @src is in use
 * (counted in migrate_busy); -ENOENT if @src is no longer zheap's (it was
 * freed while the kernel held it: trying again cannot help); -EINVAL if
 * the backend reports more objects than a page can hold.
 */
int zheap_migrate_page(struct page *dst, struct page *src)
{
	struct zheap_page_owner *owner;
	int err = -ENOENT;

	rcu_read_lock();
	owner = zheap_page_owner_of(src);
	if (owner) {
		spin_lock(&owner->lock);
		err = migrate_locked(owner, dst, src);
		spin_unlock(&owner->lock);
	}
	rcu_read_unlock();
	if (err == MIGRATEPAGE_SUCCESS)
		put_page(src);
	return err;
}

static bool zheap_mops_isolate(struct page *page, isolate_mode_t mode)
{
	return zheap_isolate_page(page);
}

static int zheap_mops_migrate(struct page *dst, struct page *src,
			      enum migrate_mode mode)
{
	return zheap_migrate_page(dst, src);
}

/* Isolation took nothing out of the backend: nothing to put back. */
static void zheap_mops_putback(struct page *page)
{
}

const struct movable_operations zheap_mops = {
	.isolate_page = zheap_mops_isolate,
	.migrate_page = zheap_mops_migrate,
	.putback_page = zheap_mops_putback,
};

/* Every zheap page moves through zheap_mops. */
int zheap_migrate_init(void)
{
	page_handles = alloc_percpu(struct page_handles);
	if (!page_handles)
		return -ENOMEM;
	if (zheap_compact_module_init()) {
		free_percpu(page_handles);
		return -ENOMEM;
	}
	zheap_page_set_mops(&zheap_mops);
	return 0;
}

/* No zheap page is movable any more: every pool is gone. */
void zheap_migrate_exit(void)
{
	zheap_pages_flush_deferred();
	zheap_compact_module_exit();
	free_percpu(page_handles);
}
