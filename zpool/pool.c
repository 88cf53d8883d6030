// SPDX-License-Identifier: GPL-2.0
/*
 * zheap pool frontend.
 *
 * A pool is a backend's state plus a handle table (core/slots.c).  Every
 * consumer call enters here: the frontend checks the consumer's input,
 * turns a handle into a location and calls the backend, which only ever
 * sees locations.
 *
 * Bad input gets a defined answer: a size of 0 or above PAGE_SIZE is
 * -EINVAL; a handle that is not live in this pool (never allocated, freed
 * already, from another pool) is -EINVAL plus one WARN per boot and a
 * count in the pool's bad_handles statistic; destroying a pool with live
 * objects frees them, with one WARN.  Nothing is corrupted or leaked.
 *
 * Access comes in two kinds.  zheap_read_object() and zheap_write_object()
 * copy, and hold nothing across the call: they suit compressors that
 * sleep, and a backend whose objects straddle pages can copy in pieces
 * with no bounce buffer.  zheap_map_object() returns a pointer, for the
 * kernel's zpool interface (zswap in 6.12); whether a consumer may sleep
 * while it holds a mapping is the backend's map_can_sleep.
 *
 * Locking: a pool has no lock of its own.  Allocation and free take a
 * handle shard lock briefly (one shard per CPU) and whatever lock the
 * backend uses; reads, writes and maps of distinct objects proceed in
 * parallel.  A read, write or map pins its object for its duration and a
 * free locks it (core/object.c), so that neither meets a half-moved
 * object.  Object counters are per CPU and written only here and in
 * migrate/; the page count is an atomic written only by core/page.c.
 */

#include <linux/atomic.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "zpool.h"

#include <trace/events/zheap.h>

static atomic_t pool_ids = ATOMIC_INIT(0);

/* Objects written back per round of the page limit (make_room()). */
#define LIMIT_BATCH	64

static struct zheap_pool *pool_create(const char *name, const char *backend,
				      const struct zheap_lru_config *cfg,
				      const char *consumer)
{
	const struct zheap_backend *b;
	struct zheap_pool *pool;
	int err;

	b = zheap_backend_get_or_default(backend);
	if (!b) {
		pr_err("zheap: no backend \"%s\"%s\n",
		       backend ?: zheap_default_backend(),
		       backend ? "" : " (named by zheap.backend=)");
		return ERR_PTR(-ENODEV);
	}

	err = -ENOMEM;
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		goto err_put_backend;
	strscpy(pool->name, name ?: "unnamed", sizeof(pool->name));
	pool->id = atomic_inc_return(&pool_ids);
	pool->consumer = consumer;
	pool->backend = b;
	pool->stats = alloc_percpu(struct zheap_pcpu_stats);
	if (!pool->stats)
		goto err_free_pool;
	if (cfg) {
		pool->lru = zheap_lru_create(pool, cfg);
		if (IS_ERR(pool->lru)) {
			err = PTR_ERR(pool->lru);
			pool->lru = NULL;
			goto err_free_stats;
		}
	}
	err = -ENOMEM;
	if (zheap_handles_init(pool))
		goto err_destroy_lru;

	pool->bpool = b->ops->create(pool);
	if (!pool->bpool)
		goto err_fini_handles;
	spin_lock_init(&pool->run_lock);
	xa_init(&pool->doomed);
	err = zheap_compact_init(pool);
	if (err)
		goto err_destroy_bpool;

	zheap_stats_add_pool(pool);
	return pool;

err_destroy_bpool:
	b->ops->destroy(pool->bpool);
err_fini_handles:
	zheap_handles_fini(pool);
err_destroy_lru:
	if (pool->lru)
		zheap_lru_destroy(pool);
err_free_stats:
	free_percpu(pool->stats);
err_free_pool:
	kfree(pool);
err_put_backend:
	zheap_backend_put(b);
	return ERR_PTR(err);
}

/**
 * zheap_pool_create() - create a pool on a backend
 * @name: a name for statistics (/sys/kernel/debug/zheap/<name>)
 * @backend: the backend's name, or NULL for the one zheap.backend= names
 *
 * If no backend of that name is registered, the module alias
 * zheap-backend-<backend> is requested once.
 *
 * Context: Process context; may sleep.
 * Return: the pool, or ERR_PTR(-ENODEV) if there is no such backend,
 * ERR_PTR(-ENOMEM), or the error of the backend's create.
 */
struct zheap_pool *zheap_pool_create(const char *name, const char *backend)
{
	return pool_create(name, backend, NULL, ZHEAP_CONSUMER_DIRECT);
}
EXPORT_SYMBOL_GPL(zheap_pool_create);

/*
 * zheap_pool_create() for the zpool bridge and the zs_* calls, which name
 * themselves as the pool's consumer (ZHEAP_CONSUMER_*).
 */
struct zheap_pool *zheap_pool_create_for(const char *name, const char *backend,
					 const char *consumer)
{
	return pool_create(name, backend, NULL, consumer);
}

/**
 * zheap_pool_create_lru() - create a pool whose objects can be written back
 * @name: as for zheap_pool_create()
 * @backend: as for zheap_pool_create()
 * @cfg: the writeback callback, policy and page limit (copied)
 *
 * As zheap_pool_create(), plus an object LRU (lru/lru.c): objects offered
 * with zheap_lru_add() are written back, coldest first, by zheap_shrink(),
 * by a shrinker under memory pressure, and by allocations at the page
 * limit.  Each handle slot costs 16 more bytes.
 *
 * Context: Process context; may sleep.
 * Return: the pool, or an ERR_PTR() as for zheap_pool_create(), or
 * ERR_PTR(-EINVAL) if @cfg has no callback or an unknown policy.
 */
struct zheap_pool *zheap_pool_create_lru(const char *name, const char *backend,
					 const struct zheap_lru_config *cfg)
{
	if (WARN_ON_ONCE(!cfg))
		return ERR_PTR(-EINVAL);
	return pool_create(name, backend, cfg, ZHEAP_CONSUMER_DIRECT);
}
EXPORT_SYMBOL_GPL(zheap_pool_create_lru);

/**
 * zheap_pool_destroy() - destroy a pool
 * @pool: the pool; NULL is ignored
 *
 * A pool should be empty.  If it still holds objects they are freed and
 * the first such destroy since boot WARNs: the consumer leaked them.
 *
 * Context: Process context; may sleep.  No other call may use @pool
 * concurrently or afterwards.
 */
void zheap_pool_destroy(struct zheap_pool *pool)
{
	const struct zheap_backend *b;
	unsigned long live;

	if (!pool)
		return;
	b = pool->backend;
	zheap_stats_remove_pool(pool);
	zheap_compact_fini(pool);
	if (pool->lru)
		zheap_lru_destroy(pool);

	live = zheap_handles_drain(pool, zheap_location_release);
	WARN_ONCE(live, "zheap: pool %s destroyed with %lu live objects\n",
		  pool->name, live);
	/*
	 * Every page is disowned now, but a page migration callback that
	 * found its owner before may still be using the backend's owner
	 * structures (migrate/migrate.c reads them under RCU).
	 */
	synchronize_rcu();
	b->ops->destroy(pool->bpool);
	/* Pages freed while the kernel held them still point at @pool. */
	zheap_pages_wait_deferred(pool);
	zheap_page_run_release(pool);
	WARN_ONCE(atomic_long_read(&pool->pages),
		  "zheap: backend %s leaked %ld pages\n", b->name,
		  atomic_long_read(&pool->pages));

	zheap_handles_fini(pool);
	xa_destroy(&pool->doomed);
	free_percpu(pool->stats);
	kfree(pool);
	zheap_backend_put(b);
}
EXPORT_SYMBOL_GPL(zheap_pool_destroy);

/**
 * zheap_pool_backend() - the name of a pool's backend
 * @pool: the pool
 *
 * Context: Any context.
 * Return: the backend's name.
 */
const char *zheap_pool_backend(struct zheap_pool *pool)
{
	return pool->backend->name;
}
EXPORT_SYMBOL_GPL(zheap_pool_backend);

static int bad_handle(struct zheap_pool *pool, const char *op,
		      unsigned long handle)
{
	zheap_count(pool, ZHEAP_C_BAD_HANDLES);
	WARN_ONCE(1, "zheap: %s: pool %s: handle %#lx is not live\n",
		  op, pool->name, handle);
	return -EINVAL;
}

static int busy_free(struct zheap_pool *pool, unsigned long handle)
{
	zheap_count(pool, ZHEAP_C_BUSY_FREES);
	WARN_ONCE(1, "zheap: free: pool %s: handle %#lx is in use\n",
		  pool->name, handle);
	return -EBUSY;
}

/*
 * The page limit, a policy over two layers: write the coldest objects
 * back (lru/), then close the holes they leave (migrate/), up to four
 * rounds.  Only for allocations that may block; writeback, which may do
 * I/O, only for those that may do I/O (zheap_lru_may_write_back()).
 * Return: 0 if the pool is below its limit (now); -ENOSPC if not.
 */
static int make_room(struct zheap_pool *pool, gfp_t gfp)
{
	unsigned long max = zheap_lru_max_pages(pool);
	unsigned int round;
	bool wb;

	if (!max || atomic_long_read(&pool->pages) < max)
		return 0;
	if (gfpflags_allow_blocking(gfp)) {
		wb = zheap_lru_may_write_back(gfp);
		zheap_count(pool, ZHEAP_C_LIMIT_SHRINKS);
		for (round = 0; round < 4; round++) {
			unsigned long written = 0;

			if (wb)
				written = zheap_shrink_if_idle(pool,
							       LIMIT_BATCH);
			if (atomic_long_read(&pool->pages) < max)
				return 0;
			zheap_compact(pool);
			if (atomic_long_read(&pool->pages) < max)
				return 0;
			if (!written)
				break;
		}
	}
	zheap_count(pool, ZHEAP_C_LIMIT_FAILS);
	return -ENOSPC;
}

/**
 * zheap_malloc() - allocate an object
 * @pool: the pool
 * @size: its size in bytes, 1 to PAGE_SIZE
 * @gfp: allocation flags for any page the pool needs
 * @handle: where to store the new object's handle
 *
 * The object's contents are undefined until written.
 *
 * Context: Process context, or atomic context as @gfp allows, but not an
 * interrupt handler (zheap_in_interrupt()).
 * Return: 0; -EINVAL for a bad @size or from an interrupt handler
 * (one WARN per boot); -ENOMEM; -ENOSPC if the backend
 * cannot hold an object of @size.  On error the pool is unchanged.
 */
int zheap_malloc(struct zheap_pool *pool, size_t size, gfp_t gfp,
		 unsigned long *handle)
{
	const struct zheap_backend *b = pool->backend;
	int why;
	unsigned long h, loc, *slot;
	int err;

	if (!size || size > PAGE_SIZE || zheap_in_interrupt("malloc"))
		return -EINVAL;
	if (pool->lru) {
		err = make_room(pool, gfp);
		if (err) {
			why = ZHEAP_FAIL_LIMIT;
			goto err_count;
		}
	}

	h = zheap_handle_alloc(pool, gfp, &slot);
	if (!h) {
		err = -ENOMEM;
		why = ZHEAP_FAIL_HANDLE;
		goto err_count;
	}
	err = b->ops->place(pool->bpool, size, gfp, h, &loc);
	if (err)
		goto err_abort_handle;

	zheap_handle_set(slot, b->id, loc);
	zheap_count_add(pool, ZHEAP_C_STORED_BYTES, size);
	zheap_count(pool, ZHEAP_C_MALLOC_OK);
	trace_zheap_malloc(pool, h, size);
	*handle = h;
	return 0;

err_abort_handle:
	zheap_handle_abort(pool, h);
	why = ZHEAP_FAIL_PLACE;
err_count:
	zheap_count(pool, ZHEAP_C_MALLOC_FAIL);
	trace_zheap_malloc_fail(pool, size, gfp, err, why);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_malloc);

/**
 * zheap_malloc_memcg() - allocate an object charged to a memory cgroup
 * @pool: the pool
 * @size: as for zheap_malloc()
 * @gfp: as for zheap_malloc()
 * @memcg: the memcg whose LRU the object joins, and to which its LRU
 *	entry's memory is charged; NULL for the caller's own
 * @handle: as for zheap_malloc()
 *
 * zheap_malloc() charges to the caller's memcg (or the one it set with
 * set_active_memcg()); this is the same with @memcg made active.  Only
 * pools with an LRU keep objects per memcg; in others @memcg changes
 * nothing.
 *
 * Context: As for zheap_malloc(); the caller keeps @memcg alive.
 * Return: as for zheap_malloc().
 */
int zheap_malloc_memcg(struct zheap_pool *pool, size_t size, gfp_t gfp,
		       struct mem_cgroup *memcg, unsigned long *handle)
{
	struct mem_cgroup *old;
	int err;

	if (!memcg)
		return zheap_malloc(pool, size, gfp, handle);
	old = set_active_memcg(memcg);
	err = zheap_malloc(pool, size, gfp, handle);
	set_active_memcg(old);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_malloc_memcg);

/* zheap_free() without reporting an object in use. */
static __always_inline int free_object(struct zheap_pool *pool,
				       unsigned long handle)
{
	int err;

	if (zheap_in_interrupt("free"))
		return -EINVAL;
	/* Whoever holds an object lock must not be preempted. */
	preempt_disable();
	/*
	 * zswap's and zram's pools have no LRU: lock and release in one
	 * call.  The other path is out of line, so this one keeps no
	 * locals in memory (no stack canary).
	 */
	err = pool->lru ? zheap_lru_free(pool, handle) :
			  zheap_object_free(pool, handle);
	preempt_enable();
	/* Under writeback (-EINPROGRESS): freed when its writeback ends. */
	if (!err || err == -EINPROGRESS)
		return 0;
	if (err == -EBUSY)
		return err;
	return bad_handle(pool, "free", handle);
}

/**
 * zheap_free() - free an object
 * @pool: the pool that holds it
 * @handle: its handle
 *
 * If a mover holds the object, waits for it (briefly: movers do not
 * sleep).  In a pool with an LRU, an object under writeback is freed when
 * its writeback callback returns; the handle is dead for the caller at
 * once.
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with -EINVAL, zheap_in_interrupt()).
 * Return: 0; -EINVAL (and one WARN per boot) if @handle is not a live
 * object of @pool or the caller is an interrupt handler; -EBUSY (and one
 * WARN per boot) if the object is being read, written or is mapped.
 * Nothing is freed on error.
 */
int zheap_free(struct zheap_pool *pool, unsigned long handle)
{
	int err = free_object(pool, handle);

	return err == -EBUSY ? busy_free(pool, handle) : err;
}
EXPORT_SYMBOL_GPL(zheap_free);

/*
 * A free the consumer cannot be told is refused (zs_free(), zpool_free()
 * return nothing) of an object in use, that is a consumer that frees what
 * it still has mapped: counted and WARNed as by zheap_free(), but not
 * dropped, which leaked the object, its slot and its page.  The handle
 * waits in @doomed and the unpin of its last user frees it (unpinned()).
 *
 * Ordering: here the handle is stored and @nr_doomed raised, then (a full
 * barrier) the pins are read; an unpin lowers the pins (a fully ordered
 * cmpxchg), then reads @nr_doomed.  So either this sees the last pin gone
 * or that unpin sees the handle waiting; whichever erases it from @doomed
 * frees it.
 */
static void free_when_idle(struct zheap_pool *pool, unsigned long handle)
{
	int err;

	for (;;) {
		err = free_object(pool, handle);
		if (err != -EBUSY)
			return;
		err = xa_insert(&pool->doomed, handle, xa_mk_value(0),
				GFP_ATOMIC | __GFP_NOWARN);
		if (err) {
			/* -EBUSY: freed twice while in use; -ENOMEM: leaked */
			WARN_ONCE(1, "zheap: free: pool %s: handle %#lx in use: %s\n",
				  pool->name, handle, err == -EBUSY ?
				  "freed twice" : "no memory to wait, leaked");
			zheap_count(pool, ZHEAP_C_BAD_HANDLES);
			return;
		}
		atomic_inc(&pool->nr_doomed);
		/* The count before the pins; pairs with the unpin's cmpxchg. */
		smp_mb__after_atomic();
		if (zheap_object_pinned(pool, handle) ||
		    !xa_erase(&pool->doomed, handle))
			return;
		/* The last user went meanwhile: free it here after all. */
		atomic_dec(&pool->nr_doomed);
	}
}

/**
 * zheap_free_when_idle() - free an object now, or when its users are done
 * @pool: the pool
 * @handle: the object
 *
 * zheap_free() for callers that cannot take -EBUSY back: an object in use
 * (a consumer's bug, counted in busy_frees and WARNed once) is freed when
 * its last user unpins it.  A bad handle is counted and WARNed as by
 * zheap_free().
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with -EINVAL, zheap_in_interrupt()).
 */
void zheap_free_when_idle(struct zheap_pool *pool, unsigned long handle)
{
	if (free_object(pool, handle) != -EBUSY)
		return;
	busy_free(pool, handle);
	free_when_idle(pool, handle);
}

/*
 * After an unpin: free @handle if a free of it waits for its users.
 * Return: true if it did (the handle is no longer the caller's).
 */
static bool unpinned(struct zheap_pool *pool, unsigned long handle)
{
	if (likely(!atomic_read(&pool->nr_doomed)))
		return false;
	if (!xa_erase(&pool->doomed, handle))
		return false;
	atomic_dec(&pool->nr_doomed);
	free_when_idle(pool, handle);
	return true;
}

/*
 * End a pin that is not a consumer's access (zheap_pool_walk()): no LRU
 * touch, but a free that waits for the object happens now.
 */
void zheap_pool_unpin(struct zheap_pool *pool, unsigned long handle)
{
	zheap_object_unpin(pool, handle);
	unpinned(pool, handle);
}

/*
 * Pin @handle for a read, write or map and find it; a consumer's bad
 * handle is counted and WARNed.
 */
static int object_pin(struct zheap_pool *pool, const char *op,
		      unsigned long handle, unsigned long *loc)
{
	if (zheap_in_interrupt(op))
		return -EINVAL;
	if (!zheap_object_pin(pool, handle, loc))
		return bad_handle(pool, op, handle);
	return 0;
}

/* The object at @loc is shorter than @len bytes. */
static bool too_long(struct zheap_pool *pool, unsigned long loc, size_t len)
{
	return len > pool->backend->ops->size(pool->bpool, loc);
}

/**
 * zheap_read_object() - copy an object out
 * @pool: the pool
 * @handle: the object
 * @dst: where to copy it
 * @len: how many bytes, at most the object's size
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with -EINVAL, zheap_in_interrupt()).  Holds nothing when it returns.
 * Return: 0; -EINVAL if @handle is not live or the caller is an interrupt
 * handler (one WARN per boot each), or if @len exceeds the object.
 */
int zheap_read_object(struct zheap_pool *pool, unsigned long handle,
		      void *dst, size_t len)
{
	unsigned long loc;
	int err;

	err = object_pin(pool, "read", handle, &loc);
	if (err)
		return err;
	err = zheap_object_copy(pool, loc, dst, len);
	zheap_object_unpin(pool, handle);
	if (!unpinned(pool, handle) && pool->lru)
		zheap_lru_accessed(pool, handle);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_read_object);

/**
 * zheap_write_object() - copy data into an object
 * @pool: the pool
 * @handle: the object
 * @src: the data
 * @len: how many bytes, at most the object's size
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with -EINVAL, zheap_in_interrupt()).  Holds nothing when it returns.
 * Return: 0; -EINVAL if @handle is not live or the caller is an interrupt
 * handler (one WARN per boot each), or if @len exceeds the object.
 */
int zheap_write_object(struct zheap_pool *pool, unsigned long handle,
		       const void *src, size_t len)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;
	unsigned long loc;
	int err;

	err = object_pin(pool, "write", handle, &loc);
	if (err)
		return err;
	if (ops->write) {
		err = ops->write(pool->bpool, loc, src, len);
	} else if (too_long(pool, loc, len)) {
		err = -EINVAL;
	} else {
		/* Only part of the object may be written: keep the rest. */
		memcpy(ops->map(pool->bpool, loc,
				len < ops->size(pool->bpool, loc) ?
				ZHEAP_MAP_RW : ZHEAP_MAP_WO), src, len);
		ops->unmap(pool->bpool, loc);
	}
	zheap_object_unpin(pool, handle);
	if (!unpinned(pool, handle) && pool->lru)
		zheap_lru_accessed(pool, handle);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_write_object);

/**
 * zheap_map_object() - get a pointer to an object
 * @pool: the pool
 * @handle: the object
 * @mode: how the mapping will be used
 *
 * The whole object is addressable from the returned pointer until
 * zheap_unmap_object(), and does not move meanwhile.  Map one object at a
 * time per context; an object may be in use by at most three callers at
 * once (a fourth waits).
 *
 * Context: Process or atomic context, not an interrupt handler (refused
 * with NULL, zheap_in_interrupt()).  The caller may sleep before the
 * unmap only if zheap_map_can_sleep() says so.
 * Return: the object's address, or NULL (one WARN per boot) if @handle is
 * not live in @pool or the caller is an interrupt handler.
 */
void *zheap_map_object(struct zheap_pool *pool, unsigned long handle,
		       enum zheap_map_mode mode)
{
	unsigned long loc;

	if (object_pin(pool, "map", handle, &loc))
		return NULL;
	return pool->backend->ops->map(pool->bpool, loc, mode);
}
EXPORT_SYMBOL_GPL(zheap_map_object);

/**
 * zheap_unmap_object() - end zheap_map_object()
 * @pool: the pool
 * @handle: the object mapped
 *
 * Context: The context that mapped it.
 */
void zheap_unmap_object(struct zheap_pool *pool, unsigned long handle)
{
	unsigned long loc;

	/* The pin taken by the map keeps the location stable. */
	if (!zheap_handle_lookup(pool, handle, &loc)) {
		bad_handle(pool, "unmap", handle);
		return;
	}
	pool->backend->ops->unmap(pool->bpool, loc);
	if (zheap_object_unpin(pool, handle))
		bad_handle(pool, "unmap", handle);
	else if (!unpinned(pool, handle) && pool->lru)
		zheap_lru_accessed(pool, handle);
}
EXPORT_SYMBOL_GPL(zheap_unmap_object);

/**
 * zheap_map_can_sleep() - may a consumer sleep with an object mapped?
 * @pool: the pool
 *
 * Context: Any context.
 * Return: true if the backend's map neither disables preemption nor holds
 * a spinlock.
 */
bool zheap_map_can_sleep(struct zheap_pool *pool)
{
	return pool->backend->map_can_sleep;
}
EXPORT_SYMBOL_GPL(zheap_map_can_sleep);

/**
 * zheap_total_pages() - pages the pool holds for objects
 * @pool: the pool
 *
 * The backend's pages and the unused pages of the pool's run
 * (core/page.c).  Handle slots and backend bookkeeping are not
 * included; see zheap_pool_stats() for those.
 *
 * Context: Any context.
 * Return: the number of pages.
 */
u64 zheap_total_pages(struct zheap_pool *pool)
{
	return atomic_long_read(&pool->pages) + READ_ONCE(pool->run_left);
}
EXPORT_SYMBOL_GPL(zheap_total_pages);

/**
 * zheap_huge_size() - the smallest object size that saves nothing
 * @pool: the pool
 *
 * An object of this size or larger takes a page of its own in the pool's
 * backend: a consumer may as well store the page uncompressed (zram
 * does).
 *
 * Context: Any context.
 * Return: the size, at most PAGE_SIZE.
 */
size_t zheap_huge_size(struct zheap_pool *pool)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;

	return ops->huge_size ? ops->huge_size() : PAGE_SIZE;
}
EXPORT_SYMBOL_GPL(zheap_huge_size);

/**
 * zheap_size_class() - which of the backend's classes a size falls in
 * @pool: the pool
 * @size: an object size
 *
 * Objects of one class take the same room: a consumer that could make an
 * object smaller gains only if the class changes (zram's recompression
 * asks this).
 *
 * Context: Any context.
 * Return: the class number; classes of larger objects have larger
 * numbers.
 */
unsigned int zheap_size_class(struct zheap_pool *pool, size_t size)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;

	return ops->size_class ? ops->size_class(pool->bpool, size) :
				 size >> 4;
}
EXPORT_SYMBOL_GPL(zheap_size_class);

/* The registry tells the zpool bridge of every backend. */
static const struct zheap_registry_listener frontend_listener = {
	.add = zheap_zpool_add,
	.remove = zheap_zpool_remove,
	.changed = zheap_zpool_update_default,
};

static int __init zheap_init(void)
{
	int err;

	err = zheap_migrate_init();
	if (err)
		return err;
	err = zheap_handles_module_init();
	if (err)
		goto err_migrate;
	err = zheap_stats_init();
	if (err)
		goto err_handles;
	err = zheap_zpool_init();
	if (err)
		goto err_stats;
	zheap_registry_listen(&frontend_listener);
	return 0;

err_stats:
	zheap_stats_exit();
err_handles:
	zheap_handles_module_exit();
err_migrate:
	zheap_migrate_exit();
	return err;
}

static void __exit zheap_exit(void)
{
	zheap_registry_listen(NULL);
	zheap_zpool_exit();
	zheap_migrate_exit();
	zheap_stats_exit();
	/* Chunk pages are freed by RCU callbacks, which are this module's. */
	rcu_barrier();
	zheap_handles_module_exit();
	/* Every pool is gone: so must be every page any of them took. */
	if (WARN(atomic_long_read(&zheap_pages_allocated) ||
		 atomic_long_read(&zheap_chunks_allocated),
		 "zheap: %ld pages and %ld chunk pages left at unload\n",
		 atomic_long_read(&zheap_pages_allocated),
		 atomic_long_read(&zheap_chunks_allocated)))
		return;
	pr_info("zheap: unloaded, every page given back\n");
}

module_init(zheap_init);
module_exit(zheap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap: compressed object store with generic handles");
MODULE_VERSION(ZHEAP_VERSION);
