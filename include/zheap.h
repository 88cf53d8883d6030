/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zheap: a store for compressed objects with one generic handle shared by
 * every backend.
 *
 * A consumer creates a pool on a backend, allocates objects of 1 to
 * PAGE_SIZE bytes and gets an opaque handle for each.  The handle stays
 * valid for the object's whole life, whatever the backend later does with
 * its pages: the handle names a slot that holds the object's current
 * location, and only the slot is rewritten when an object moves.
 *
 * Access is by copy (zheap_read_object(), zheap_write_object(): preemptible,
 * no mapping held across the call) or by map/unmap for consumers such as the
 * kernel's zpool that need a pointer (zheap_map_object()).  An object is
 * never moved while it is read, written or mapped.
 *
 * Every backend page is movable: the kernel's compaction can move it, and
 * zheap_compact() (also run by a shrinker under memory pressure) moves
 * objects out of sparse pages so that whole pages can be freed.
 */
#ifndef _ZHEAP_H
#define _ZHEAP_H

#include <linux/types.h>
#include <linux/gfp.h>

struct zheap_pool;

/**
 * enum zheap_map_mode - what a mapping will be used for
 * @ZHEAP_MAP_RW: read and write the object
 * @ZHEAP_MAP_RO: only read it
 * @ZHEAP_MAP_WO: only write it (the old contents need not be copied in)
 */
enum zheap_map_mode {
	ZHEAP_MAP_RW,
	ZHEAP_MAP_RO,
	ZHEAP_MAP_WO,
};

/**
 * struct zheap_stats - a snapshot of one pool's counters
 * @objects: live objects
 * @stored_bytes: sum of the sizes asked for by zheap_malloc() for live objects
 * @pool_pages: pages the backend holds for objects
 * @handle_slots: handle slots in use (equals @objects)
 * @handle_bytes: memory that holds handle slots, including free slots
 * @backend_meta_bytes: backend bookkeeping outside the pool pages
 * @malloc_ok: successful allocations
 * @malloc_fail: failed allocations (no memory or no room)
 * @frees: objects freed
 * @bad_handles: operations refused because the handle was not live
 * @busy_frees: frees refused because the object was in use (pinned)
 * @pages_migrated: pages moved by the kernel's page migration
 * @migrate_busy: page moves put off because an object was in use
 * @isolate_refused: pages the kernel tried to isolate while in use
 * @compactions: zheap_compact() runs (the shrinker's included)
 * @pages_compacted: pages freed by zheap_compact()
 * @objects_moved: objects zheap_compact() moved
 * @compact_busy: objects zheap_compact() left because they were in use
 */
struct zheap_stats {
	u64 objects;
	u64 stored_bytes;
	u64 pool_pages;
	u64 handle_slots;
	u64 handle_bytes;
	u64 backend_meta_bytes;
	u64 malloc_ok;
	u64 malloc_fail;
	u64 frees;
	u64 bad_handles;
	u64 busy_frees;
	u64 pages_migrated;
	u64 migrate_busy;
	u64 isolate_refused;
	u64 compactions;
	u64 pages_compacted;
	u64 objects_moved;
	u64 compact_busy;
};

struct zheap_pool *zheap_pool_create(const char *name, const char *backend);
void zheap_pool_destroy(struct zheap_pool *pool);
const char *zheap_pool_backend(struct zheap_pool *pool);

int zheap_malloc(struct zheap_pool *pool, size_t size, gfp_t gfp,
		 unsigned long *handle);
int zheap_free(struct zheap_pool *pool, unsigned long handle);

int zheap_read_object(struct zheap_pool *pool, unsigned long handle,
		      void *dst, size_t len);
int zheap_write_object(struct zheap_pool *pool, unsigned long handle,
		       const void *src, size_t len);

void *zheap_map_object(struct zheap_pool *pool, unsigned long handle,
		       enum zheap_map_mode mode);
void zheap_unmap_object(struct zheap_pool *pool, unsigned long handle);
bool zheap_map_can_sleep(struct zheap_pool *pool);

u64 zheap_total_pages(struct zheap_pool *pool);
unsigned long zheap_compact(struct zheap_pool *pool);
unsigned long zheap_compactable_pages(struct zheap_pool *pool);
void zheap_pool_stats(struct zheap_pool *pool, struct zheap_stats *stats);

const char *zheap_default_backend(void);

#endif /* _ZHEAP_H */
