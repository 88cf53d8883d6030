/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between zheap's shared layers and a backend.
 *
 * A backend is a placement policy only: it decides in which page, and
 * where in it, an object lives, and how its pages are laid out.  It never
 * touches handle slots, LRU lists or movable-page state; the frontend
 * (zpool/) owns those and calls the backend through struct
 * zheap_backend_ops.  Backends get and return their pages through
 * zheap_page_alloc() and zheap_page_free(), so that page accounting (and
 * later the migration layer's bookkeeping) lives in one place.
 *
 * A location is the backend's own encoding of where an object lives, an
 * unsigned long of at most ZHEAP_LOC_BITS significant bits.  The frontend
 * stores it in the object's handle slot next to its own tag bits.
 */
#ifndef _ZHEAP_BACKEND_H
#define _ZHEAP_BACKEND_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>
#include <zheap.h>

struct page;
struct zheap_pool;

/* Bits of a location a backend may use (see zpool/handle.c). */
#define ZHEAP_LOC_BITS		(BITS_PER_LONG - 8)
#define ZHEAP_BACKEND_NAME_MAX	24
/* Backend ids are encoded in three bits of every handle slot. */
#define ZHEAP_MAX_BACKENDS	8

/**
 * struct zheap_backend_ops - what a backend implements
 * @create: set up the backend's state for @pool; returns it, or NULL.
 *	May sleep.
 * @destroy: free everything @create and later calls allocated.  Every
 *	object has been released before this is called.
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
 * @page_objects: write the handles of the live objects stored (wholly or
 *	in part) in @page into @handles, at most @max of them; return how
 *	many the page holds.  The shared layers use it to find the slots
 *	to rewrite when a page moves.
 * @page_replaced: @newpage now holds a copy of @page's contents; point
 *	the backend's own structures at @newpage.  Locations of objects may
 *	change with it: for each object whose location changes, the backend
 *	calls @relocate(@pool, handle, mask, bits), which replaces the
 *	location bits set in mask by those of bits and keeps the rest.
 * @meta_bytes: bytes of bookkeeping the backend holds outside its pages.
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
			      struct page *newpage,
			      void (*relocate)(struct zheap_pool *pool,
					       unsigned long handle,
					       unsigned long mask,
					       unsigned long bits));
	u64 (*meta_bytes)(void *bpool);
};

/**
 * struct zheap_backend - a registered backend
 * @name: the name consumers ask for ("zbud"); [a-z0-9_], at most
 *	ZHEAP_BACKEND_NAME_MAX - 1 characters
 * @owner: the module that implements it (THIS_MODULE)
 * @ops: its operations
 * @map_can_sleep: @ops->map neither disables preemption nor takes a
 *	spinlock, so a consumer may sleep while an object is mapped
 * @list: private to the registry
 * @id: private to the registry; encoded in every handle slot
 */
struct zheap_backend {
	const char *name;
	struct module *owner;
	const struct zheap_backend_ops *ops;
	bool map_can_sleep;
	struct list_head list;
	unsigned int id;
};

int zheap_register_backend(struct zheap_backend *backend);
void zheap_unregister_backend(struct zheap_backend *backend);

u32 zheap_handle_id(unsigned long handle);
unsigned long zheap_handle_by_id(struct zheap_pool *pool, u32 id);

struct page *zheap_page_alloc(struct zheap_pool *pool, gfp_t gfp);
void zheap_page_free(struct zheap_pool *pool, struct page *page);

#endif /* _ZHEAP_BACKEND_H */
