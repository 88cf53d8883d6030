// SPDX-License-Identifier: GPL-2.0
/*
 * zheap handle slots: chunks, shards and the chunk xarray (core/).  The
 * object protocol on the slot word is core/object.c.
 *
 * A handle names an unsigned long slot; the slot holds where the object
 * lives now.  Moving an object rewrites the slot, never the consumer's copy
 * of the handle.
 *
 * Slots live in "chunks": order-0 pages owned by one pool.  Word 0 of a
 * chunk is its header, words 1..511 are slots; in a pool with side memory
 * (core/side.c) the header lives in the struct page of the chunk's
 * companion and all 512 words are slots.  Every chunk has an id (1 and up) in one
 * allocating xarray shared by all pools (zheap_chunks), and a handle is
 *
 *	handle = chunk id << ZHEAP_SLOT_ID_BITS | slot index (0 or 1..511)
 *
 * so a handle is below 2^31, is never 0 (the id is not), and
 * doubles as the 32-bit name backends keep in their reverse maps.  The
 * xarray hands out the ids; turning a handle into its chunk is two loads
 * from a fixed two-level directory (zheap_chunk_dir: 8192 pointers, each
 * to a page of 512 chunk pointers, made when an id of its range is first
 * given out and kept until the module goes), not an xarray walk: the
 * walk was the largest share of zheap's own instructions per free.
 * A handle that names no chunk,
 * a chunk of another pool (page->private names the owning shard), or a
 * chunk's header word is refused without reading any memory that may
 * have been freed:
 * a double free or a made-up handle gets an error, not a use-after-free.
 *
 * A pool's chunks are spread over shards (a power of two of them, up to
 * one per CPU and ZHEAP_MAX_SHARDS) so that allocations on different CPUs
 * take different locks; a slot is allocated from the shard of the CPU that
 * asks and freed to the shard that owns its chunk.  A chunk is linked
 * through page->lru on its shard's partial or full list and freed as soon
 * as it is empty.
 *
 * Slot word, when live (bit 0 set):
 *
 *	63                      8  7    6 5    4    3        1 0
 *	|        location        |  M  | pins | L | backend  | 1 |
 *
 * When free, bit 0 is clear and bits 1.. hold the index of the next free
 * slot in the chunk (ZHEAP_SLOT_END ends the list).  A slot handed out by
 * zheap_handle_alloc() but not yet set holds 0: neither live nor linked.
 * Bit 7 (M) is a mark that core/ gives no meaning to: the layer above
 * sets and clears it (zheap_object_set_mark(), zheap_object_trylock_mark(),
 * zheap_object_claim()), every pin sets it in the same update if the pool
 * asks (@pin_marks), and zheap_slots_clear_marks() clears it in every
 * slot.  lru/ makes it the referenced bit of its policies.
 *
 * Locking of the table: each shard's lock (a spinlock, never held across
 * a backend call) protects its chunk lists and is held for every slot
 * taken.  A chunk's state (slots in use and the free list's head, one
 * word) changes only by cmpxchg: lock holders pop and push, and a free
 * pushes without the lock unless its chunk was full or would be empty
 * (chunk_put_lockless()); a free slot's link is written before the
 * cmpxchg that puts it on the list, by the one CPU that holds the slot.
 * The chunk xarray has its own lock, taken only when a chunk comes or
 * goes; the directory's entries are written only then too (a chunk's
 * entry once it is whole, cleared before its id goes back), its leaf
 * pages installed with a cmpxchg.  Lookups run under RCU (or with
 * preemption disabled, which call_rcu() waits for as well), read a leaf
 * with READ_ONCE() and an entry with a load-acquire (paired with the
 * store-release that publishes it), and an empty chunk's page is freed only
 * after a grace period, so a lookup of a handle whose object was just
 * freed (a mover's stale list, a consumer's double free) reads a free
 * slot word, never a freed page.
 */

#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "slots.h"

/* Chunk ids, for every pool: the xarray allocates them. */
DEFINE_XARRAY_ALLOC(zheap_chunks);

/* Chunk id -> chunk page, for lookups; see the top of this file. */
struct page **zheap_chunk_dir[ZHEAP_CHUNK_DIRS];

/*
 * Make sure the leaf for @id exists.  Two chunks of a new range may race
 * here: one cmpxchg wins, the other frees its page.
 */
static bool chunk_dir_prepare(u32 id, gfp_t gfp)
{
	struct page ***dir = &zheap_chunk_dir[id >> ZHEAP_CHUNK_LEAF_SHIFT];
	struct page **leaf;

	if (READ_ONCE(*dir))
		return true;
	leaf = (struct page **)get_zeroed_page(gfp);
	if (!leaf)
		return false;
	if (cmpxchg(dir, NULL, leaf))
		free_page((unsigned long)leaf);
	return true;
}

/* Publish @page as chunk @id, or (@page NULL) take it back. */
static void chunk_dir_set(u32 id, struct page *page)
{
	struct page **leaf = zheap_chunk_dir[id >> ZHEAP_CHUNK_LEAF_SHIFT];

	/* A lookup that finds the page finds it whole. */
	smp_store_release(&leaf[id & ZHEAP_CHUNK_LEAF_MASK], page);
}

static void chunk_dir_free(void)
{
	unsigned int i;

	for (i = 0; i < ZHEAP_CHUNK_DIRS; i++) {
		if (!zheap_chunk_dir[i])
			continue;
		free_page((unsigned long)zheap_chunk_dir[i]);
		zheap_chunk_dir[i] = NULL;
	}
}

/* Chunk pages of all pools, so tests can see that a destroy frees all. */
atomic_long_t zheap_chunks_allocated = ATOMIC_LONG_INIT(0);

#ifdef CONFIG_ZHEAP_FAULT_INJECTION
DECLARE_FAULT_ATTR(zheap_fail_slot);

static bool chunk_alloc_should_fail(void)
{
	return should_fail(&zheap_fail_slot, PAGE_SIZE);
}
#else
static bool chunk_alloc_should_fail(void)
{
	return false;
}
#endif

void zheap_table_init(struct zheap_handle_table *table,
		      struct zheap_pool *pool)
{
	table->pool = pool;
	spin_lock_init(&table->lock);
	INIT_LIST_HEAD(&table->partial);
	INIT_LIST_HEAD(&table->full);
}

/**
 * zheap_handles_init() - set up a pool's handle shards
 * @pool: the pool
 *
 * Context: Process context; may sleep.
 * Return: 0; -ENOMEM; -EINVAL (one WARN) if @pool->side_size is above
 * ZHEAP_SIDE_MAX.
 */
int zheap_handles_init(struct zheap_pool *pool)
{
	unsigned int i, nr;

	if (WARN_ONCE(pool->side_size > ZHEAP_SIDE_MAX,
		      "zheap: side memory of %u bytes per slot, at most %u\n",
		      pool->side_size, ZHEAP_SIDE_MAX))
		return -EINVAL;
	/* A power of two, so picking a CPU's shard is a mask. */
	nr = rounddown_pow_of_two(min_t(unsigned int, nr_cpu_ids,
					ZHEAP_MAX_SHARDS));

	pool->shards = kcalloc(nr, sizeof(*pool->shards), GFP_KERNEL);
	if (!pool->shards)
		return -ENOMEM;
	pool->nr_shards = nr;
	for (i = 0; i < nr; i++)
		zheap_table_init(&pool->shards[i], pool);
	xa_init(&pool->memcg_tables);
	pool->pin_mark = pool->pin_marks ? ZHEAP_SLOT_MARK : 0;
	return 0;
}

static void chunk_free_now(struct page *page);

static struct page *chunk_new(struct zheap_handle_table *table,
			      struct mem_cgroup *memcg, gfp_t gfp)
{
	struct zheap_chunk_header *hdr;
	struct page *page;
	unsigned int i;
	u32 id;

	if (chunk_alloc_should_fail())
		return NULL;
	gfp &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return NULL;
	page->index = 0;	/* no side memory, unless attached below */
	if (table->pool->side_size &&
	    !zheap_side_attach(table->pool, page, memcg, gfp)) {
		__free_page(page);
		return NULL;
	}
	/* Owner first: pool_chunks_for_each() may find it in the xarray. */
	set_page_private(page, (unsigned long)table);
	if (xa_alloc(&zheap_chunks, &id, page, XA_LIMIT(1, ZHEAP_MAX_CHUNK_ID),
		     gfp))
		goto err_free;
	if (!chunk_dir_prepare(id, gfp)) {
		xa_erase(&zheap_chunks, id);
		goto err_free;
	}
	atomic_long_inc(&zheap_chunks_allocated);

	hdr = chunk_header(page);
	hdr->id = id;
	hdr->state.inuse = 0;
	hdr->state.free_head = chunk_first(page);
	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		unsigned long next = i + 1 < ZHEAP_SLOTS_PER_CHUNK ? i + 1 :
				     ZHEAP_SLOT_END;

		*chunk_slot(page, i) = next << 1;
	}
	chunk_dir_set(id, page);
	return page;

err_free:
	set_page_private(page, 0);
	chunk_free_now(page);
	return NULL;
}

static void chunk_free_now(struct page *page)
{
	zheap_side_detach(page);
	__free_page(page);
}

static void chunk_free_rcu(struct rcu_head *head)
{
	chunk_free_now(container_of(head, struct page, rcu_head));
}

/*
 * A mover may hold a handle it found before the object was freed (the
 * compactor's list of a unit's objects) and look it up after: the chunk
 * page stays a chunk, with free slot words, until every such lookup, all
 * under RCU, is over.
 */
static void chunk_free(struct page *page)
{
	u32 id = chunk_header(page)->id;

	/* The entry first: the id may be given out again after xa_erase(). */
	chunk_dir_set(id, NULL);
	xa_erase(&zheap_chunks, id);
	set_page_private(page, 0);
	atomic_long_dec(&zheap_chunks_allocated);
	call_rcu(&page->rcu_head, chunk_free_rcu);
}

/*
 * Take a slot from @page, which has one free; return its index.  Frees
 * may push slots meanwhile (chunk_put_lockless()), never pop: only lock
 * holders pop, so the head read here is still on the list, with the
 * same link, if the cmpxchg finds it still at the head (no ABA).
 */
static unsigned int chunk_take(struct zheap_handle_table *table,
			       struct page *page)
{
	struct zheap_chunk_header *hdr = chunk_header(page);
	union zheap_chunk_state old, new;
	unsigned long *slot;

	lockdep_assert_held(&table->lock);
	for (;;) {
		/* Pairs with the push's cmpxchg: the head's link is written. */
		old.word = smp_load_acquire(&hdr->state.word);
		slot = chunk_slot(page, old.free_head);
		new.free_head = READ_ONCE(*slot) >> 1;
		new.inuse = old.inuse + 1;
		if (try_cmpxchg(&hdr->state.word, &old.word, new.word))
			break;
	}
	WRITE_ONCE(*slot, 0);
	table->nr_used++;
	if (new.free_head == ZHEAP_SLOT_END)
		list_move(&page->lru, &table->full);
	return old.free_head;
}

/* The shard of the CPU the caller runs on. */
static struct zheap_handle_table *cpu_shard(struct zheap_pool *pool)
{
	return &pool->shards[raw_smp_processor_id() & (pool->nr_shards - 1)];
}

/*
 * Take a slot from @table, with a new chunk (its side memory charged to
 * @memcg) if it has none free.
 */
static unsigned long table_take(struct zheap_handle_table *table,
				struct mem_cgroup *memcg, gfp_t gfp,
				unsigned long **slot)
{
	struct page *page, *fresh = NULL;
	unsigned int idx;

	spin_lock(&table->lock);
	page = list_first_entry_or_null(&table->partial, struct page, lru);
	if (!page) {
		spin_unlock(&table->lock);
		fresh = chunk_new(table, memcg, gfp);
		if (!fresh)
			return 0;
		spin_lock(&table->lock);
		/* Someone may have freed a slot meanwhile; prefer it. */
		page = list_first_entry_or_null(&table->partial, struct page,
						lru);
		if (!page) {
			page = fresh;
			fresh = NULL;
			list_add(&page->lru, &table->partial);
			table->nr_chunks++;
		}
	}
	idx = chunk_take(table, page);
	spin_unlock(&table->lock);

	if (fresh)
		chunk_free(fresh);
	*slot = chunk_slot(page, idx);
	return chunk_handle(page, idx);
}

/**
 * zheap_handle_alloc() - take a handle slot
 * @pool: the pool
 * @gfp: flags for a new chunk, if one is needed
 * @slot: set to the slot, for zheap_handle_set()
 *
 * The slot comes from the shard of the CPU the caller runs on (in a pool
 * with side memory, from the table of the caller's memcg if that is not
 * the root), and is not live until zheap_handle_set().
 *
 * Context: Process or atomic context, as @gfp allows.  Takes and releases
 * a shard lock.
 * Return: the handle, or 0 if no memory.
 */
unsigned long zheap_handle_alloc(struct zheap_pool *pool, gfp_t gfp,
				 unsigned long **slot)
{
	struct zheap_handle_table *table;
	struct mem_cgroup *memcg;
	unsigned long handle = 0;

	if (!pool->side_size)
		return table_take(cpu_shard(pool), NULL, gfp, slot);
	/* One read of the memcg for the table and the charge (side.c). */
	memcg = zheap_side_memcg_get();
	table = memcg ? zheap_side_table(pool, memcg, gfp) : cpu_shard(pool);
	if (table)
		handle = table_take(table, memcg, gfp, slot);
	zheap_side_memcg_put(memcg);
	return handle;
}

/*
 * Give slot @idx back to @page under the lock, whatever it does to the
 * chunk's lists; return the chunk if it became empty.  Lockless pushes
 * may race with the cmpxchg, but none can empty the chunk (our slot is
 * in use) or push onto a full one (chunk_put_lockless() leaves those to
 * the lock), so the state the cmpxchg replaced decides the list moves.
 */
static struct page *chunk_put(struct zheap_handle_table *table,
			      struct page *page, unsigned int idx)
{
	struct zheap_chunk_header *hdr = chunk_header(page);
	unsigned long *slot = chunk_slot(page, idx);
	union zheap_chunk_state old, new;

	lockdep_assert_held(&table->lock);
	old.word = READ_ONCE(hdr->state.word);
	do {
		WRITE_ONCE(*slot, (unsigned long)old.free_head << 1);
		new.free_head = idx;
		new.inuse = old.inuse - 1;
	} while (!try_cmpxchg(&hdr->state.word, &old.word, new.word));
	table->nr_used--;
	if (!new.inuse) {
		list_del(&page->lru);
		table->nr_chunks--;
		return page;
	}
	if (old.free_head == ZHEAP_SLOT_END)
		list_move(&page->lru, &table->partial);
	return NULL;
}

/**
 * zheap_handle_set() - make a slot live at a location
 * @slot: from zheap_handle_alloc()
 * @backend_id: the backend that holds the object
 * @loc: where it holds it
 *
 * Context: Any context.
 */
void zheap_handle_set(unsigned long *slot, unsigned int backend_id,
		      unsigned long loc)
{
	unsigned long word = ZHEAP_SLOT_LIVE |
			     (backend_id & ZHEAP_SLOT_ID_MASK) << ZHEAP_SLOT_ID_SHIFT |
			     loc << ZHEAP_SLOT_LOC_SHIFT;

	WARN_ON_ONCE(loc >> ZHEAP_LOC_BITS);
	WRITE_ONCE(*slot, word);
}

/**
 * zheap_handle_abort() - give back a slot that never became live
 * @pool: the pool it came from
 * @handle: the slot's handle
 *
 * Context: Any context.  Takes and releases a shard lock.
 */
void zheap_handle_abort(struct zheap_pool *pool, unsigned long handle)
{
	struct page *page = zheap_chunk_of(pool, handle), *empty;
	struct zheap_handle_table *table;

	if (WARN_ON_ONCE(!page))
		return;
	table = chunk_table(page);
	spin_lock(&table->lock);
	empty = chunk_put(table, page, handle & ZHEAP_SLOT_IDX_MASK);
	spin_unlock(&table->lock);
	if (empty)
		chunk_free(empty);
}

/* The slot @handle names if it is a slot of @pool, else NULL. */
unsigned long *zheap_slot_of(struct zheap_pool *pool, unsigned long handle)
{
	struct page *page = zheap_chunk_of(pool, handle);

	return page ? handle_slot(page, handle) : NULL;
}

/**
 * zheap_handle_lookup() - read a live slot's location
 * @pool: the pool
 * @handle: what the consumer gave us
 * @loc: the object's location, if live
 *
 * The location is stable only while the caller pins or locks the object.
 *
 * Context: Any context.  Lockless.
 * Return: true if @handle is a live slot of @pool.
 */
bool zheap_handle_lookup(struct zheap_pool *pool, unsigned long handle,
			 unsigned long *loc)
{
	guard(rcu)();
	unsigned long *slot = zheap_slot_of(pool, handle), word;

	if (!slot)
		return false;
	word = READ_ONCE(*slot);
	if (!(word & ZHEAP_SLOT_LIVE))
		return false;
	*loc = slot_loc(word);
	return true;
}

/*
 * Give back the slot of a locked object under its shard's lock, @page the
 * chunk the caller's lock found (zheap_chunk_of()), so the free path
 * looks the handle up once: object.c's object_release() comes here when
 * chunk_put_lockless() leaves the slot to the lock.
 */
void zheap_slot_put(struct page *page, unsigned long handle)
{
	struct zheap_handle_table *table;
	struct page *empty;

	if (WARN_ON_ONCE(!page))
		return;
	table = chunk_table(page);
	spin_lock(&table->lock);
	/* An invariant, checked where the kernel checks its own (DEBUG_VM). */
	VM_WARN_ON_ONCE(!(READ_ONCE(*handle_slot(page, handle)) &
			  ZHEAP_SLOT_LOCKED));
	empty = chunk_put(table, page, handle & ZHEAP_SLOT_IDX_MASK);
	spin_unlock(&table->lock);

	if (empty)
		chunk_free(empty);
}

/**
 * zheap_handle_id() - the 32-bit name of a handle's slot
 * @handle: a handle of a live object
 *
 * Backends keep these in their reverse maps (which objects live in a page)
 * at half the cost of an unsigned long; zheap_handle_by_id() turns one
 * back.  Today a handle is its own id.
 *
 * Context: Any context.
 * Return: the id, below 2^31.
 */
u32 zheap_handle_id(unsigned long handle)
{
	return handle;
}
EXPORT_SYMBOL_GPL(zheap_handle_id);

/**
 * zheap_handle_by_id() - the handle a slot id names
 * @pool: the pool
 * @id: from zheap_handle_id() on a live handle of @pool
 *
 * Context: Any context.
 * Return: the handle.
 */
unsigned long zheap_handle_by_id(struct zheap_pool *pool, u32 id)
{
	return id;
}
EXPORT_SYMBOL_GPL(zheap_handle_by_id);

static unsigned long chunk_drain(struct page *page, struct zheap_pool *pool,
				 void (*release)(struct zheap_pool *pool,
						 unsigned long loc))
{
	unsigned long nr = 0;
	unsigned int i;

	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		unsigned long *slot = chunk_slot(page, i);
		unsigned long word = READ_ONCE(*slot);

		/*
		 * The kernel may be moving the object's page right now: wait
		 * for the mover, then hold the object so no other starts.
		 * Pins are the consumer's leak and do not stop the drain.
		 */
		preempt_disable();
		while (word & ZHEAP_SLOT_LIVE) {
			if (word & ZHEAP_SLOT_LOCKED) {
				cpu_relax();
				word = READ_ONCE(*slot);
			} else if (try_cmpxchg(slot, &word,
					       word | ZHEAP_SLOT_LOCKED)) {
				release(pool, slot_loc(word));
				nr++;
				break;
			}
		}
		preempt_enable();
	}
	return nr;
}

static void table_take_chunks(struct zheap_handle_table *table,
			      struct list_head *chunks)
{
	spin_lock(&table->lock);
	list_splice_init(&table->partial, chunks);
	list_splice_init(&table->full, chunks);
	table->nr_chunks = 0;
	table->nr_used = 0;
	spin_unlock(&table->lock);
}

/**
 * zheap_handles_drain() - release every live object and free all chunks
 * @pool: the pool
 * @release: called with the location of each live object
 *
 * Context: Process context; the pool is no longer reachable by consumers.
 * Return: how many live objects there were.
 */
unsigned long zheap_handles_drain(struct zheap_pool *pool,
				  void (*release)(struct zheap_pool *pool,
						  unsigned long loc))
{
	struct zheap_handle_table *table;
	struct page *page, *tmp;
	unsigned long nr = 0, id;
	unsigned int i;
	LIST_HEAD(chunks);

	for (i = 0; i < pool->nr_shards; i++)
		table_take_chunks(&pool->shards[i], &chunks);
	xa_for_each(&pool->memcg_tables, id, table)
		table_take_chunks(table, &chunks);

	list_for_each_entry_safe(page, tmp, &chunks, lru) {
		nr += chunk_drain(page, pool, release);
		list_del(&page->lru);
		chunk_free(page);
	}
	return nr;
}

/**
 * zheap_handles_fini() - free what zheap_handles_init() set up
 * @pool: a pool whose handles were drained
 *
 * Context: Process context, a grace period after the drain.
 */
void zheap_handles_fini(struct zheap_pool *pool)
{
	zheap_side_tables_fini(pool);
	kfree(pool->shards);
}

/**
 * zheap_handle_bytes() - memory held for handle slots
 * @pool: the pool
 *
 * Context: Any context.
 * Return: bytes of chunk pages, including free slots and headers.
 */
unsigned long zheap_handle_bytes(struct zheap_pool *pool)
{
	return zheap_handle_chunks(pool) * PAGE_SIZE;
}

/* Chunks and used slots summed over every table of @pool, unlocked. */
static void tables_count(struct zheap_pool *pool, unsigned long *chunks,
			 unsigned long *used)
{
	struct zheap_handle_table *table;
	unsigned long id;
	unsigned int i;

	*chunks = *used = 0;
	for (i = 0; i < pool->nr_shards; i++) {
		*chunks += READ_ONCE(pool->shards[i].nr_chunks);
		*used += READ_ONCE(pool->shards[i].nr_used);
	}
	xa_for_each(&pool->memcg_tables, id, table) {
		*chunks += READ_ONCE(table->nr_chunks);
		*used += READ_ONCE(table->nr_used);
	}
}

/**
 * zheap_handle_chunks() - chunk pages a pool holds
 * @pool: the pool
 *
 * In a pool with side memory each chunk has ZHEAP_SIDE_BYTES of it too.
 *
 * Context: Any context.
 * Return: the number of chunks in all of the pool's tables.
 */
unsigned long zheap_handle_chunks(struct zheap_pool *pool)
{
	unsigned long chunks, used;

	tables_count(pool, &chunks, &used);
	return chunks;
}

/**
 * zheap_handles_used() - slots in use
 * @pool: the pool, with its counters (zheap_pool_create())
 *
 * Context: Any context.
 * Return: the number of slots handed out and not yet freed.
 */
unsigned long zheap_handles_used(struct zheap_pool *pool)
{
	unsigned long chunks, used;

	tables_count(pool, &chunks, &used);
	/* Slots that went back without a lock are counted per CPU instead. */
	used -= zheap_count_sum(pool, ZHEAP_C_LOCKLESS_FREES);
	/* Read while slots come and go, the difference may dip below 0. */
	return max_t(long, used, 0);
}

/**
 * zheap_handles_module_init() - set up what all pools share
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zheap_handles_module_init(void)
{
	return zheap_side_module_init();
}

/**
 * zheap_handles_module_exit() - undo zheap_handles_module_init()
 *
 * Context: Module exit, after every pool is gone.
 */
void zheap_handles_module_exit(void)
{
	zheap_side_module_exit();
	chunk_dir_free();
}
