/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between zheap's shared layers and a backend.
 *
 * A backend is a placement policy only: it decides in which page, and
 * where in it, an object lives, and how its pages are laid out.  It never
 * touches handle slots, LRU lists or movable-page state; the frontend
 * (zpool/) and the migration layer (migrate/) own those and call the
 * backend through struct zheap_backend_ops.  Backends get and return their
 * pages through zheap_page_alloc(), zheap_page_publish() and
 * zheap_page_free() (core/page.c), which account them and make them
 * movable.
 *
 * Every backend page belongs to a struct zheap_page_owner: the spinlock
 * under which the backend places and releases objects in that page.  The
 * migration layer finds the owner from the page and takes the same lock
 * to move the page, so a backend needs no locking of its own for
 * migration; the ops that say "owner lock held" are called under it.
 *
 * A location is the backend's own encoding of where an object lives, an
 * unsigned long of at most ZHEAP_LOC_BITS significant bits.  The frontend
 * stores it in the object's handle slot next to its own tag bits.
 */
#ifndef _ZHEAP_BACKEND_H
#define _ZHEAP_BACKEND_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <zheap.h>

struct page;
struct zheap_pool;

/* Bits of a location a backend may use (see core/slots.c). */
#define ZHEAP_LOC_BITS		(BITS_PER_LONG - 8)
#define ZHEAP_BACKEND_NAME_MAX	24
/* Backend ids are encoded in three bits of every handle slot. */
#define ZHEAP_MAX_BACKENDS	8
/* Most objects a backend stores (wholly or in part) in one page. */
#define ZHEAP_PAGE_OBJECTS_MAX	(PAGE_SIZE / 16 + 2)

/**
 * struct zheap_page_owner - the lock that covers a set of backend pages
 * @lock: the backend's own lock for these pages.  protects: which objects
 *	live in the pages and where, and which pages are in the set (the
 *	backend's descriptors of them).  The migration layer takes it to
 *	move a page.  Under it, object locks are only ever tried
 *	(core/object.c), never waited for.
 * @pool: the pool the pages belong to
 *
 * A backend embeds one per lock it uses (zbud: one per pool; zsmalloc:
 * one per size class) and initializes it with zheap_page_owner_init().
 * Its memory must stay valid until zheap_pool_destroy() has returned from
 * the backend's destroy.
 */
struct zheap_page_owner {
	spinlock_t lock;	/* protects: see above */
	struct zheap_pool *pool;
};

/*
 * The mover API: how a backend changes where its objects live without
 * touching their handle slots (core/object.c).  During compaction,
 * move_unit takes each object with zheap_mover_lock() and gives it back
 * with zheap_mover_unlock(), both under the owner lock, and says with
 * zheap_mover_stop() that it stopped before the unit was empty; the
 * struct zheap_mover it is handed is core's and opaque.  After a page
 * copy, page_replaced gives each object that moved its new location with
 * zheap_mover_relocate().
 */
struct zheap_mover;

void *zheap_mover_lock(struct zheap_mover *mv, unsigned long handle,
		       unsigned long *loc);
void zheap_mover_unlock(struct zheap_mover *mv, void *cookie,
			unsigned long loc);
void zheap_mover_stop(struct zheap_mover *mv);
void zheap_mover_relocate(struct zheap_pool *pool, unsigned long handle,
			  unsigned long mask, unsigned long bits);

/**
 * struct zheap_backend_ops - what a backend implements
 * @create: set up the backend's state for @pool; returns it, or NULL.
 *	May sleep.
 * @destroy: free everything @create and later calls allocated.  Every
 *	object has been released before this is called.  Pages still held
 *	(a leak: WARN) are freed with zheap_page_free() first, and their
 *	owners a grace period after (synchronize_rcu()), since a migration
 *	callback may have found them just before.  May sleep.
 * @place: find room for an object of @size bytes (1..PAGE_SIZE) whose
 *	handle is @handle; store its location in *@loc.  Returns 0,
 *	-ENOMEM, or -ENOSPC if the backend cannot hold an object that big.
 *	Sleeps only if @gfp allows.
 * @release: give back the room of the object at @loc; return its size.
 * @map: return the address of the object at @loc, valid until @unmap; the
 *	memory there need hold the object's bytes only if @mode is not
 *	ZHEAP_MAP_WO.  One map at a time per CPU.
 * @unmap: end a @map; what was written there is in the object afterwards.
 * @read: optional: copy the first @len bytes of the object at @loc to @dst
 *	without holding anything afterwards; -EINVAL, copying nothing, if
 *	@len exceeds the object.  Without it, the frontend maps.
 * @write: optional: the same, from @src into the object.
 * @size: the size that was passed to @place for the object at @loc.
 * @obj_page: the page in which the object at @loc starts.
 * @page_objects: owner lock held.  Write the handles of the objects
 *	stored (wholly or in part) in @page into @handles, at most @max of
 *	them; return how many the page holds.  Objects whose slot is not
 *	live yet (being allocated) are included.  At most
 *	ZHEAP_PAGE_OBJECTS_MAX.
 * @page_replaced: owner lock held, and every object @page_objects names
 *	for @page locked by the caller.  @newpage holds a copy of @page's
 *	contents; point the backend's own structures (and page_private) at
 *	@newpage and clear @page's page_private.  For each object whose
 *	location changes, which must be one that @page_objects names for
 *	@page, call zheap_mover_relocate(pool, handle, mask, bits): it
 *	replaces the location bits set in mask by those of bits and keeps
 *	the rest.
 * @move_unit: empty compaction source @unit into room the backend already
 *	has for its kind (never a new page, never another source), under
 *	one hold of the owner lock: for each object, in turn, take it with
 *	zheap_mover_lock() (NULL: it is in use, stop), give it room, copy
 *	it, free its old slot and hand it back with zheap_mover_unlock() and
 *	its new location;
 *	with no room left, hand it back at its old location and stop.
 *	Returns the objects moved; calls zheap_mover_stop(@mv) if it
 *	stopped early.
 * @compact_source: choose, among the backend's objects of kind @kind
 *	(a size class; backends number them from 0), the unit (the pages it
 *	frees together) that is cheapest to empty, if the free room in its
 *	other units of that kind can take all its objects; stop placing
 *	objects in it and set *@unit.  Returns how many objects it holds,
 *	0 if nothing of @kind is worth moving, -ERANGE if @kind is past the
 *	last kind.  A unit stays a source, and is not freed even when empty,
 *	until @compact_end.
 * @compact_end: @unit is no longer a source; free it if it is empty.
 *	Returns the pages freed.
 * @compactable: the pages compaction would free if it could move every
 *	object: the arithmetic ideal, from the backend's counters.
 * @meta_bytes: bytes of bookkeeping the backend holds outside its pages.
 * @huge_size: optional: the smallest object size that takes a page of its
 *	own (no saving over storing the page as it is).  A property of the
 *	backend's layout, the same for every pool on it: the registry keeps
 *	the largest over all backends for zram (zs_huge_class_size()).
 *	Default PAGE_SIZE.
 * @size_class: optional: the backend's class number for objects of @size
 *	(objects in one class take the same room).  Default @size / 16.
 * @show_classes: optional: print the backend's per-class detail to @m,
 *	a line of column names, then one line of numbers per class in use
 *	(debugfs <pool>/classes; Documentation/stats.rst says each
 *	backend's columns).  Takes the backend's own locks, one class at a
 *	time; process context.
 */
struct zheap_backend_ops {
	void *(*create)(struct zheap_pool *pool);
	void (*destroy)(void *bpool);
	int (*place)(void *bpool, size_t size, gfp_t gfp, unsigned long handle,
		     unsigned long *loc);
	size_t (*release)(void *bpool, unsigned long loc);
	void *(*map)(void *bpool, unsigned long loc, enum zheap_map_mode mode);
	void (*unmap)(void *bpool, unsigned long loc);
	int (*read)(void *bpool, unsigned long loc, void *dst, size_t len);
	int (*write)(void *bpool, unsigned long loc, const void *src,
		     size_t len);
	size_t (*size)(void *bpool, unsigned long loc);
	struct page *(*obj_page)(void *bpool, unsigned long loc);
	unsigned int (*page_objects)(void *bpool, struct page *page,
				     unsigned long *handles, unsigned int max);
	void (*page_replaced)(void *bpool, struct page *page,
			      struct page *newpage);
	unsigned int (*move_unit)(void *bpool, void *unit,
				  struct zheap_mover *mv);
	int (*compact_source)(void *bpool, unsigned int kind, void **unit);
	unsigned int (*compact_end)(void *bpool, void *unit);
	unsigned long (*compactable)(void *bpool);
	u64 (*meta_bytes)(void *bpool);
	size_t (*huge_size)(void);
	unsigned int (*size_class)(void *bpool, size_t size);
	void (*show_classes)(void *bpool, struct seq_file *m);
};

/* Runs of at most 64 pages (256 KiB with 4 KiB pages). */
#define ZHEAP_PAGE_RUN_ORDER_MAX	6

/**
 * struct zheap_backend - a registered backend
 * @name: the name consumers ask for ("zbud"): lower-case letters, digits
 *	and underscores, at most
 *	ZHEAP_BACKEND_NAME_MAX - 1 characters
 * @owner: the module that implements it (THIS_MODULE)
 * @ops: its operations
 * @map_can_sleep: @ops->map neither disables preemption nor takes a
 *	spinlock, so a consumer may sleep while an object is mapped
 * @page_run_order: 0, or the order of the runs zheap_page_alloc() takes
 *	this backend's pages from once a pool is large (core/page.c);
 *	at most ZHEAP_PAGE_RUN_ORDER_MAX
 * @list: private to the registry
 * @id: private to the registry; encoded in every handle slot
 */
struct zheap_backend {
	const char *name;
	struct module *owner;
	const struct zheap_backend_ops *ops;
	bool map_can_sleep;
	unsigned int page_run_order;
	struct list_head list;
	unsigned int id;
};

int zheap_register_backend(struct zheap_backend *backend);
void zheap_unregister_backend(struct zheap_backend *backend);

u32 zheap_handle_id(unsigned long handle);
unsigned long zheap_handle_by_id(struct zheap_pool *pool, u32 id);

void zheap_page_owner_init(struct zheap_page_owner *owner,
			   struct zheap_pool *pool);
struct page *zheap_page_alloc(struct zheap_page_owner *owner, gfp_t gfp);
void zheap_page_publish(struct zheap_page_owner *owner, struct page *page);
void zheap_page_free(struct zheap_page_owner *owner, struct page *page);

#endif /* _ZHEAP_BACKEND_H */
