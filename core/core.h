/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zheap's core: what every layer above it may use (lru/, migrate/, the
 * frontend zpool/, the backends through include/zheap_backend.h, and the
 * tests).  It names nothing of the layers above it.
 *
 *	core/slots.c	handle slots: chunks, shards, the chunk xarray
 *	core/side.c	per-slot side memory, per-memcg handle tables
 *	core/object.c	the object protocol: pin, lock, move, release, copy
 *	core/page.c	backend pages: allocation, accounting, runs, release
 *	core/registry.c	the backend registry
 *
 * struct zheap_pool is shared by every layer; each group of its fields
 * says which layer writes it.
 */
#ifndef _ZHEAP_CORE_H
#define _ZHEAP_CORE_H

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/list.h>
#include <linux/migrate.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <zheap.h>
#include <zheap_backend.h>

/*
 * Side memory of one handle chunk (core/side.c): an order-1 page, so at
 * most ZHEAP_SIDE_MAX bytes for each of its 512 slots.
 */
#define ZHEAP_SIDE_ORDER	1
#define ZHEAP_SIDE_BYTES	(PAGE_SIZE << ZHEAP_SIDE_ORDER)
#define ZHEAP_SIDE_MAX		16

/* Handle shards per pool; each CPU allocates from shard (cpu % nr). */
#define ZHEAP_MAX_SHARDS	16

/*
 * Handle slots live in pages owned by the pool (core/slots.c), so that a
 * handle can be checked without touching memory that may have been freed.
 * One shard of them.
 */
struct zheap_handle_table {
	struct zheap_pool *pool;	/* which pool's chunks these are */
	/*
	 * protects: @partial, @full, @nr_chunks, @nr_used (slots taken less
	 * slots put back under the lock; ZHEAP_C_LOCKLESS_FREES counts the
	 * rest), and which list each chunk of this shard is on.  Held for
	 * every slot taken and for the frees that move a chunk between the
	 * lists or free it; the other frees push their slot with a cmpxchg
	 * on the chunk's state alone (core/slots.h, chunk_put_lockless()).
	 */
	spinlock_t lock;
	struct list_head partial;	/* chunks with a free slot */
	struct list_head full;
	unsigned long nr_chunks;
	unsigned long nr_used;
} ____cacheline_aligned_in_smp;

struct zheap_pool {
	char name[32];
	unsigned int id;
	/* Who made it, for statistics: ZHEAP_CONSUMER_*; set before publish. */
	const char *consumer;
	const struct zheap_backend *backend;
	void *bpool;
	struct zheap_handle_table *shards;
	unsigned int nr_shards;
	/*
	 * What a layer above asks of core/, as data, before
	 * zheap_handles_init() (lru/ does, for its entries and policy):
	 * @side_size bytes of side memory per slot, 0 for none, with the
	 * list_lru that each memcg's table readies (core/side.c); whether
	 * every pin sets the object's mark.
	 */
	unsigned int side_size;
	struct list_lru *side_lru;
	bool pin_marks;
	/* core/: ZHEAP_SLOT_MARK if @pin_marks, else 0, for the pin's update */
	unsigned long pin_mark;
	/*
	 * core/side.c, pools with side memory only: one handle table per
	 * memory cgroup that has objects here, indexed by cgroup id, so that
	 * every chunk's side memory is charged to one memcg.  Tables are
	 * created on first use and live as long as the pool.
	 */
	struct xarray memcg_tables;
	struct zheap_lru *lru;		/* lru/, for the frontend */
	struct dentry *debugfs;		/* zpool/stats.c */
	struct zheap_pool_kobj *sysfs;	/* zpool/sysfs.c */
	/*
	 * zpool/pool.c: objects that zs_free() or zpool_free() was asked to
	 * free while in use, freed by their last user's unpin; @nr_doomed
	 * counts them, so an unpin looks no further while it is 0.
	 */
	struct xarray doomed;
	atomic_t nr_doomed;

	/*
	 * migrate/compact.c: the shrinker that compacts under memory pressure
	 * (the LRU's writeback shrinker is lru->shrinker)
	 */
	struct shrinker *compact_shrinker;
	/* serializes compactions of this pool: one at a time */
	struct mutex compact_lock;
	unsigned long last_compacted;	/* zpool/stats.c: by the debugfs trigger */
	/*
	 * migrate/compact.c: background compaction.  A release queues it
	 * (the kick below); it runs on zheap_compact_wq in
	 * slices, under compact_lock (only tried), and queues itself again
	 * until nothing is left to free.
	 */
	struct delayed_work bg_compact;
	bool bg_resume;		/* the last slice stopped early; worker only */
	unsigned long bg_frees;	/* frees at the worker's last look; worker only */
	/*
	 * What core/ kicks after every release (zheap_object_release()),
	 * installed as data by migrate/ at pool creation: @bg_compact on
	 * @release_wq, @release_delay ahead, while *@release_kick_on is
	 * not 0 and it is not pending.  NULL @release_wq: nothing.
	 */
	struct workqueue_struct *release_wq;
	const unsigned int *release_kick_on;
	unsigned long release_delay;

	/*
	 * pages held by the backend: core/page.c is the only writer.  On a
	 * line of its own, away from the fields every call reads.
	 */
	atomic_long_t pages ____cacheline_aligned_in_smp;
	/*
	 * Of @pages, those freed while the kernel held their page lock and
	 * not yet let go (core/page.c); the pool waits for them at destroy.
	 */
	atomic_long_t pages_deferred;
	/*
	 * The pages of the current run not yet handed out (core/page.c):
	 * run_lock protects run and run_left.  Innermost: taken under an
	 * owner lock or none, never from interrupts, and nothing is taken or
	 * allocated under it.  run_left is read without it for stats.
	 */
	spinlock_t run_lock;
	struct page *run;
	unsigned long run_left;
	/* object counters, per CPU: zpool/pool.c is the only writer */
	struct zheap_pcpu_stats __percpu *stats;
};

/*
 * A pool's per-CPU counters (vmstat's pattern): one item each, written
 * in one place only, through zheap_count() or zheap_count_add(); the
 * comment on each group names the layer that writes it.  Their names and
 * where zheap_pool_stats() reports them are zheap_counters[]
 * (zpool/stats.c); make lint checks that Documentation/stats.rst lists
 * every name.
 */
enum zheap_counter_item {
	/* zpool/pool.c, and the release in core/object.c */
	ZHEAP_C_STORED_BYTES,
	ZHEAP_C_MALLOC_OK,
	ZHEAP_C_MALLOC_FAIL,
	ZHEAP_C_FREES,
	ZHEAP_C_BAD_HANDLES,
	ZHEAP_C_BUSY_FREES,
	/* core/object.c: slots given back without their shard's lock */
	ZHEAP_C_LOCKLESS_FREES,
	/* core/page.c, migrate/ */
	ZHEAP_C_PAGE_RUNS,
	ZHEAP_C_PAGES_MIGRATED,
	ZHEAP_C_MIGRATE_BUSY,
	ZHEAP_C_ISOLATE_REFUSED,
	ZHEAP_C_COMPACTIONS,
	ZHEAP_C_PAGES_COMPACTED,
	ZHEAP_C_OBJECTS_MOVED,
	ZHEAP_C_COMPACT_BUSY,
	ZHEAP_C_BG_COMPACTIONS,
	ZHEAP_C_BG_PAGES_COMPACTED,
	ZHEAP_C_BG_COMPACT_NS,
	/* lru/ (pools with an LRU only) */
	ZHEAP_C_WRITTEN_BACK,
	ZHEAP_C_WB_REFUSED,
	ZHEAP_C_WB_RETRIES,
	ZHEAP_C_WB_BUSY,
	ZHEAP_C_WB_ROTATED,
	ZHEAP_C_LRU_PROMOTED,
	ZHEAP_C_LRU_EPOCHS,
	ZHEAP_C_WB_FREED,
	/* zpool/pool.c: the page limit (pools with an LRU only) */
	ZHEAP_C_LIMIT_SHRINKS,
	ZHEAP_C_LIMIT_FAILS,
	NR_ZHEAP_COUNTERS
};

/*
 * Per-CPU so that malloc and free on different CPUs share no cacheline.
 * Each CPU's values wrap freely; only their sum over all CPUs means
 * anything (live objects are malloc_ok - frees).
 */
struct zheap_pcpu_stats {
	unsigned long c[NR_ZHEAP_COUNTERS];
};

static inline void zheap_count_add(struct zheap_pool *pool,
				   enum zheap_counter_item item,
				   unsigned long n)
{
	this_cpu_add(pool->stats->c[item], n);
}

/* One counter summed over every CPU: no lock, so not a snapshot. */
static inline unsigned long zheap_count_sum(struct zheap_pool *pool,
					    enum zheap_counter_item item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(pool->stats, cpu)->c[item]);
	return sum;
}

static inline void zheap_count_sub(struct zheap_pool *pool,
				   enum zheap_counter_item item,
				   unsigned long n)
{
	this_cpu_sub(pool->stats->c[item], n);
}

static inline void zheap_count(struct zheap_pool *pool,
			       enum zheap_counter_item item)
{
	this_cpu_inc(pool->stats->c[item]);
}

/*
 * One compaction pass's mover (core/object.c; include/zheap_backend.h
 * shows backends only its name): migrate/compact.c sets it up, the
 * backend's move_unit passes it back to the mover calls.
 */
struct zheap_mover {
	struct zheap_pool *pool;
	bool stopped;			/* zheap_mover_stop() was called */
	struct page *chunk;		/* handle chunk of the last object locked */
	unsigned long chunk_id;		/* and its id */
};

/* core/slots.c and core/object.c */
int zheap_handles_init(struct zheap_pool *pool);
void zheap_handles_fini(struct zheap_pool *pool);
unsigned long zheap_handle_alloc(struct zheap_pool *pool, gfp_t gfp,
				 unsigned long **slot);
void zheap_handle_set(unsigned long *slot, unsigned int backend_id,
		      unsigned long loc);
void zheap_handle_abort(struct zheap_pool *pool, unsigned long handle);
bool zheap_handle_lookup(struct zheap_pool *pool, unsigned long handle,
			 unsigned long *loc);
bool zheap_object_pin(struct zheap_pool *pool, unsigned long handle,
		      unsigned long *loc);
int zheap_object_unpin(struct zheap_pool *pool, unsigned long handle);
bool zheap_object_busy(struct zheap_pool *pool, unsigned long handle);
bool zheap_object_pinned(struct zheap_pool *pool, unsigned long handle);
bool zheap_refuse_interrupt(const char *op);

/**
 * zheap_in_interrupt() - refuse a call from an interrupt handler
 * @op: the call, for the message
 *
 * zheap's calls run in process context, with or without preemption or
 * interrupts disabled, but never in an interrupt handler, hard or soft:
 * the object lock and the pins are waited for by spinning, and no lock
 * of zheap's is BH- or IRQ-safe, so a handler that interrupted a holder
 * on its own CPU would spin for ever.  The frontend's and the LRU's entry
 * points refuse such a call (-EINVAL) through this, with one WARN per
 * boot for all of them.  Inline: the fast path is one read of the
 * preempt count.
 *
 * Context: Any context.
 * Return: true if the caller runs in an interrupt handler.
 */
static inline bool zheap_in_interrupt(const char *op)
{
	return unlikely(!in_task()) && zheap_refuse_interrupt(op);
}

unsigned long *zheap_object_trylock_slot(struct zheap_pool *pool,
					 unsigned long handle,
					 unsigned long *loc);
void zheap_slot_unlock_at(unsigned long *slot, unsigned long loc);
bool zheap_objects_trylock(struct zheap_pool *pool,
			   const unsigned long *handles, unsigned int nr);
void zheap_objects_unlock(struct zheap_pool *pool,
			  const unsigned long *handles, unsigned int nr);
int zheap_object_lock(struct zheap_pool *pool, unsigned long handle,
		      unsigned long *loc);
int zheap_object_lock_chunk(struct zheap_pool *pool, unsigned long handle,
			    unsigned long *loc, struct page **chunk);
void zheap_object_unlock(struct zheap_pool *pool, unsigned long handle);
bool zheap_object_lock_held(void);
unsigned long zheap_handles_drain(struct zheap_pool *pool,
				  void (*release)(struct zheap_pool *pool,
						  unsigned long loc));
unsigned long zheap_handle_bytes(struct zheap_pool *pool);
unsigned long zheap_handles_used(struct zheap_pool *pool);
unsigned long zheap_handle_chunks(struct zheap_pool *pool);
int zheap_handles_module_init(void);
void zheap_handles_module_exit(void);

/* core/side.c: per-slot side memory */
void *zheap_slot_side(struct zheap_pool *pool, unsigned long handle);
unsigned long zheap_side_handle(struct zheap_pool *pool, const void *side);
unsigned long zheap_side_bytes(struct zheap_pool *pool);

/* What zheap_object_claim() found. */
enum zheap_claim {
	ZHEAP_CLAIMED,
	ZHEAP_CLAIM_MARKED,
	ZHEAP_CLAIM_BUSY,
	ZHEAP_CLAIM_DEAD,
};

/* core/object.c and core/slots.c: the mark bit M */
enum zheap_claim zheap_object_claim(struct zheap_pool *pool,
				    unsigned long handle, bool spare_marked,
				    unsigned long **slot, unsigned long *loc);
unsigned long *zheap_object_lock_idle(struct zheap_pool *pool,
				      unsigned long handle, unsigned long *loc);
bool zheap_object_set_mark(struct zheap_pool *pool, unsigned long handle,
			   bool mark);
unsigned long *zheap_object_trylock_mark(struct zheap_pool *pool,
					 unsigned long handle,
					 unsigned long *loc);
unsigned long zheap_slots_clear_marks(struct zheap_pool *pool);
unsigned long zheap_slots_walk(struct zheap_pool *pool,
			       void (*visit)(unsigned long handle, void *arg),
			       void *arg);

/* core/object.c: release and copy out, for the frontend and lru/ */
void zheap_location_release(struct zheap_pool *pool, unsigned long loc);
void zheap_object_release(struct zheap_pool *pool, unsigned long handle,
			  unsigned long loc);
void zheap_object_release_chunk(struct zheap_pool *pool, struct page *chunk,
				unsigned long handle, unsigned long loc);
int zheap_object_free(struct zheap_pool *pool, unsigned long handle);
int zheap_object_copy(struct zheap_pool *pool, unsigned long loc, void *dst,
		      size_t len);
int zheap_copy_out(struct zheap_pool *pool, unsigned long loc, void *dst,
		   size_t len);

/* core/page.c: backend pages (the allocation API is in zheap_backend.h) */
void zheap_page_set_mops(const struct movable_operations *mops);
struct zheap_page_owner *zheap_page_owner_of(struct page *page);
void zheap_pages_release_deferred(bool wait);
void zheap_pages_flush_deferred(void);
void zheap_pages_wait_deferred(struct zheap_pool *pool);
unsigned long zheap_page_run_release(struct zheap_pool *pool);
extern atomic_long_t zheap_pages_deferred;
/*
 * A pool takes runs (core/page.c) only once it holds this many pages:
 * a smaller one would leave most of a run unused.
 */
#define ZHEAP_RUN_MIN_PAGES	BIT(ZHEAP_PAGE_RUN_ORDER_MAX)

/* core/registry.c */
const struct zheap_backend *zheap_backend_get(const char *name);
void zheap_backend_put(const struct zheap_backend *backend);
const struct zheap_backend *zheap_backend_next(const struct zheap_backend *prev);
bool zheap_backend_name_valid(const char *name, size_t len);
size_t zheap_backends_huge_size(void);

/*
 * The frontend's view of the registry: told of each backend as it comes
 * (an error refuses it) and goes, and whether all maps may sleep after.
 */
struct zheap_registry_listener {
	int (*add)(const struct zheap_backend *backend);
	void (*remove)(const struct zheap_backend *backend);
	void (*changed)(bool all_maps_can_sleep);
};

void zheap_registry_listen(const struct zheap_registry_listener *l);

extern atomic_long_t zheap_pages_allocated;
extern atomic_long_t zheap_chunks_allocated;

#ifdef CONFIG_ZHEAP_FAULT_INJECTION
extern struct fault_attr zheap_fail_page;
extern struct fault_attr zheap_fail_slot;
#endif

#endif /* _ZHEAP_CORE_H */
