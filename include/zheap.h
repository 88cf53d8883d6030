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
 *
 * A pool created with zheap_pool_create_lru() also keeps its objects in
 * an LRU (on the kernel's list_lru, per node and per memory cgroup) and
 * sheds the coldest of them to a lower tier through the consumer's
 * writeback callback: on zheap_shrink(), under memory pressure (a
 * shrinker), and when an allocation would pass the pool's page limit.
 * Pools without an LRU pay nothing for it.
 */
#ifndef _ZHEAP_H
#define _ZHEAP_H

#include <linux/types.h>
#include <linux/gfp.h>

/*
 * What the code assumes, refused here for out-of-tree builds (Kconfig
 * says the same in tree): 4 KiB pages, for which handle chunks, the slot
 * word's location bits and the backends' layouts are sized; and no
 * PREEMPT_RT, where the spinlocks taken under the object lock (a bit
 * taken with preemption disabled) would sleep.
 */
#if PAGE_SHIFT != 12
#error "zheap needs 4 KiB pages (see the comment above)"
#endif
#ifdef CONFIG_PREEMPT_RT
#error "zheap does not support PREEMPT_RT (see the comment above)"
#endif

struct zheap_pool;
struct mem_cgroup;

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
 * @run_pages: pages the pool holds for the backend, not yet handed to it
 *	(the rest of its current run; zheap_total_pages() counts them)
 * @handle_slots: handle slots in use (equals @objects)
 * @handle_bytes: memory that holds handle slots, including free slots
 * @backend_meta_bytes: backend bookkeeping outside the pool pages
 * @malloc_ok: successful allocations
 * @malloc_fail: failed allocations (no memory or no room)
 * @frees: objects freed
 * @bad_handles: operations refused because the handle was not live
 * @busy_frees: frees of an object in use (pinned): refused by zheap_free(),
 *	put off until the last user's unpin by zs_free() and zpool_free()
 * @lockless_frees: frees (and writebacks) whose handle slot went back
 *	without its shard's lock: all but a chunk's first free slot and its
 *	last slot in use
 * @page_runs: runs of pages taken for the backend (core/page.c)
 * @pages_migrated: pages moved by the kernel's page migration
 * @migrate_busy: page moves put off because an object was in use
 * @isolate_refused: pages the kernel tried to isolate while in use
 * @compactions: compaction passes: zheap_compact(), the shrinker's, and
 *	each slice of background compaction
 * @pages_compacted: pages freed by those passes
 * @objects_moved: objects those passes moved
 * @compact_busy: objects they left because they were in use
 * @bg_compactions: slices of background compaction (also in @compactions)
 * @bg_pages_compacted: pages background compaction freed (also in
 *	@pages_compacted)
 * @bg_compact_ns: time background compaction ran, in nanoseconds
 * @lru_objects: objects on the LRU (0 in pools without one)
 * @lru_bytes: memory that holds LRU entries, 16 bytes per handle slot
 * @written_back: objects the writeback callback took (and zheap freed)
 * @wb_refused: objects the callback kept (they went to the hot end)
 * @wb_retries: calls of the callback that asked to be called again
 * @wb_busy: cold objects the LRU walk passed over because they were in use
 * @wb_rotated: referenced objects given a second chance
 * @lru_promoted: objects moved to the hot end by an access (exact and
 *	epoch policies)
 * @lru_epochs: epochs the epoch policy ended
 * @wb_freed: objects the consumer freed while they were written back
 * @limit_shrinks: allocations that wrote back first to stay under the limit
 * @limit_fails: allocations refused because the limit could not be met
 */
struct zheap_stats {
	u64 objects;
	u64 stored_bytes;
	u64 pool_pages;
	u64 run_pages;
	u64 handle_slots;
	u64 handle_bytes;
	u64 backend_meta_bytes;
	u64 malloc_ok;
	u64 malloc_fail;
	u64 frees;
	u64 bad_handles;
	u64 busy_frees;
	u64 lockless_frees;
	u64 page_runs;
	u64 pages_migrated;
	u64 migrate_busy;
	u64 isolate_refused;
	u64 compactions;
	u64 pages_compacted;
	u64 objects_moved;
	u64 compact_busy;
	u64 bg_compactions;
	u64 bg_pages_compacted;
	u64 bg_compact_ns;
	u64 lru_objects;
	u64 lru_bytes;
	u64 written_back;
	u64 wb_refused;
	u64 wb_retries;
	u64 wb_busy;
	u64 wb_rotated;
	u64 lru_promoted;
	u64 lru_epochs;
	u64 wb_freed;
	u64 limit_shrinks;
	u64 limit_fails;
};

/**
 * enum zheap_lru_policy - which cold object an LRU pool writes back first
 * @ZHEAP_LRU_EPOCH: LRU by first use in an epoch: the first access to an
 *	object in an epoch moves it to the hot end, later ones in the same
 *	epoch cost one load of its slot word.  An epoch ends once a quarter
 *	of the LRU's objects have been moved or added; a worker then clears
 *	every referenced bit of the pool.  The walk writes back in list
 *	order.  Close to exact order at a third of its list operations, and
 *	no memory beyond the other policies.  The default (0).
 * @ZHEAP_LRU_SECOND_CHANCE: CLOCK: an access sets the object's referenced
 *	bit (free: it is part of the pin every access takes); the walk from
 *	the cold end clears a set bit and moves the object to the hot end
 *	instead of writing it back.  The cheapest access; its order decays
 *	to the hand's order once the hand has gone round the list.
 * @ZHEAP_LRU_EXACT: strict LRU: every access moves the object to the hot
 *	end (two list operations under the LRU lock).  The order is exact
 *	when accesses do not race each other: for tests and for consumers
 *	that need the order more than the speed.
 */
enum zheap_lru_policy {
	ZHEAP_LRU_EPOCH,
	ZHEAP_LRU_SECOND_CHANCE,
	ZHEAP_LRU_EXACT,
};

/* How often an object whose writeback returned -EAGAIN is offered again. */
#define ZHEAP_WB_TRIES	3

/**
 * typedef zheap_writeback_fn - give a cold object to the lower tier
 * @pool: the pool
 * @handle: the object
 * @data: a copy of its contents, valid during the call
 * @len: its size
 * @arg: &zheap_lru_config.arg
 *
 * While it runs, the object stays live: it can be read, and moved by
 * compaction, but not written back again.  A zheap_free() of it meanwhile
 * succeeds and takes effect when the callback returns, whatever it
 * returns.
 *
 * Context: Process context; may sleep.  Called from zheap_shrink(), from
 * the pool's shrinker (only for reclaim that allows __GFP_IO and
 * __GFP_FS, but possibly from kswapd or direct reclaim: allocations may
 * fail there, so write from preallocated buffers, or direct I/O, and
 * return an error to keep the object if memory runs short) and from
 * zheap_malloc() at the page limit.  Calls are serialised per pool.
 * Return: 0 if the lower tier now holds the data: zheap frees the object,
 * and its handle dies; -EAGAIN to be called again at once, up to
 * %ZHEAP_WB_TRIES times in all, then the object is kept; any other error
 * keeps the object, moved to the hot end of the LRU.
 */
typedef int (*zheap_writeback_fn)(struct zheap_pool *pool,
				  unsigned long handle, const void *data,
				  size_t len, void *arg);

/**
 * struct zheap_lru_config - what a pool with an LRU needs
 * @writeback: the consumer's callback; required
 * @arg: passed to it
 * @policy: see &enum zheap_lru_policy
 * @max_pages: if not 0, an allocation that finds the pool holding this many
 *	pages or more writes back (and compacts) first, and fails with
 *	-ENOSPC if that does not bring the pool below the limit
 */
struct zheap_lru_config {
	zheap_writeback_fn writeback;
	void *arg;
	enum zheap_lru_policy policy;
	unsigned long max_pages;
};

struct zheap_pool *zheap_pool_create(const char *name, const char *backend);
struct zheap_pool *zheap_pool_create_lru(const char *name, const char *backend,
					 const struct zheap_lru_config *cfg);
void zheap_pool_destroy(struct zheap_pool *pool);
const char *zheap_pool_backend(struct zheap_pool *pool);

int zheap_malloc(struct zheap_pool *pool, size_t size, gfp_t gfp,
		 unsigned long *handle);
int zheap_malloc_memcg(struct zheap_pool *pool, size_t size, gfp_t gfp,
		       struct mem_cgroup *memcg, unsigned long *handle);
int zheap_free(struct zheap_pool *pool, unsigned long handle);

int zheap_lru_add(struct zheap_pool *pool, unsigned long handle);
int zheap_lru_touch(struct zheap_pool *pool, unsigned long handle);
unsigned long zheap_shrink(struct zheap_pool *pool, unsigned long nr);
unsigned long zheap_shrink_memcg(struct zheap_pool *pool,
				 struct mem_cgroup *memcg, unsigned long nr);
unsigned long zheap_lru_count(struct zheap_pool *pool);
unsigned long zheap_lru_count_memcg(struct zheap_pool *pool,
				    struct mem_cgroup *memcg);

int zheap_read_object(struct zheap_pool *pool, unsigned long handle,
		      void *dst, size_t len);
int zheap_write_object(struct zheap_pool *pool, unsigned long handle,
		       const void *src, size_t len);

void *zheap_map_object(struct zheap_pool *pool, unsigned long handle,
		       enum zheap_map_mode mode);
void zheap_unmap_object(struct zheap_pool *pool, unsigned long handle);
bool zheap_map_can_sleep(struct zheap_pool *pool);

u64 zheap_total_pages(struct zheap_pool *pool);
size_t zheap_huge_size(struct zheap_pool *pool);
unsigned int zheap_size_class(struct zheap_pool *pool, size_t size);
unsigned long zheap_compact(struct zheap_pool *pool);
unsigned long zheap_compactable_pages(struct zheap_pool *pool);
void zheap_pool_stats(struct zheap_pool *pool, struct zheap_stats *stats);

const char *zheap_default_backend(void);

#endif /* _ZHEAP_H */
