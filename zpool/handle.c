// SPDX-License-Identifier: GPL-2.0
/*
 * zheap handle slots.
 *
 * A handle names an unsigned long slot; the slot holds where the object
 * lives now.  Moving an object rewrites the slot, never the consumer's copy
 * of the handle.
 *
 * Slots live in "chunks": order-0 pages owned by one pool.  Word 0 of a
 * chunk is its header, words 1..511 are slots; in a pool with an LRU the
 * header lives in the struct page of the chunk's companion (below) and
 * all 512 words are slots.  Every chunk has an id (1 and up) in one
 * allocating xarray shared by all pools (zheap_chunks), and a handle is
 *
 *	handle = chunk id << ZHEAP_SLOT_ID_BITS | slot index (0 or 1..511)
 *
 * so a handle is below 2^31, is never 0 (the id is not), and
 * doubles as the 32-bit name backends keep in their reverse maps.  Turning
 * a handle into its slot is one xa_load(); a handle that names no chunk,
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
 *	|        location        | lru | pins | L | backend  | 1 |
 *
 * When free, bit 0 is clear and bits 1.. hold the index of the next free
 * slot in the chunk (ZHEAP_SLOT_END ends the list).  A slot handed out by
 * zheap_handle_alloc() but not yet set holds 0: neither live nor linked.
 * Bit 7 (R) is the LRU layer's referenced bit.  In a pool with the
 * second-chance LRU every pin sets it in the same update, and the walk
 * (lru/lru.c) clears it; with the epoch LRU it says the object was moved
 * to the hot end in this epoch (zheap_object_claim_first()), and
 * zheap_handles_clear_ref() clears it in every slot when an epoch ends.
 *
 * LRU entries.  In a pool with an LRU each chunk has a companion: an
 * order-1 compound page of 512 list_heads, entry i for slot i, which the
 * chunk's page->index points to.  The companion's head page holds the
 * chunk's header in its ->private and points back at the chunk with its
 * ->index, so an entry found on an LRU list names its handle, and the
 * LRU costs exactly one list_head per slot.  The companion is
 * allocated with __GFP_ACCOUNT in the allocating task's memory cgroup
 * context, and list_lru finds an entry's memcg and node from the page it
 * sits in: the LRU stores no memcg pointer per object, and a memcg that
 * goes away is followed to its parent by the kernel's own reparenting.
 * For that, all slots of a chunk belong to objects of one memcg: LRU pools
 * keep one handle table per memcg besides the per-CPU shards, which serve
 * the root memcg.  The LRU layer reads and writes an entry only while it
 * holds the object's lock L (below).
 *
 * The slot word is also the object's lock, so that the users of an object
 * and whoever moves it agree without any lock of the pool:
 *
 *  - pins (bits 5-6) count users: a read, a write, or a map until its
 *    unmap.  zheap_object_pin() waits while L is set, then adds one.
 *  - L (bit 4) is the exclusive lock of whoever changes where the object
 *    lives or ends its life: the migration layer moving its page, the
 *    compactor moving the object, zheap_free().  It is taken only when no
 *    pin is held, and its holder never sleeps.  Movers only try it
 *    (zheap_object_trylock_slot()), and give up when an object is pinned, so
 *    a move never waits for a user; a free waits only for a mover.
 *
 * Every change of a live slot word is one atomic read-modify-write
 * (try_cmpxchg()): pins, L, the LRU bit and the location share the word
 * and are changed from different contexts, so none may be a plain store.
 * Lock order: whoever holds L may then take a backend's owner lock (the
 * compactor and zheap_free() do); whoever holds an owner lock only tries
 * L.  L is annotated for lockdep as "zheap_object".
 *
 * Locking of the table: each shard's lock (a spinlock, never held across
 * a backend call) protects its chunk lists, its chunks' headers and free
 * links.  The chunk xarray has its own lock, taken only when a chunk comes
 * or goes.  Lookups run under RCU, and an empty chunk's page is freed only
 * after a grace period, so a lookup of a handle whose object was just
 * freed (a mover's stale list, a consumer's double free) reads a free
 * slot word, never a freed page.
 */

#include <linux/cgroup.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "zheap_internal.h"

#define ZHEAP_SLOT_LIVE		BIT(0)
#define ZHEAP_SLOT_ID_SHIFT	1
#define ZHEAP_SLOT_ID_MASK	(ZHEAP_MAX_BACKENDS - 1)
#define ZHEAP_SLOT_LOCKED	BIT(4)
#define ZHEAP_SLOT_PIN		BIT(5)
#define ZHEAP_SLOT_PINS		(BIT(5) | BIT(6))
#define ZHEAP_SLOT_REF		BIT(7)
#define ZHEAP_SLOT_LOC_SHIFT	8
#define ZHEAP_SLOTS_PER_CHUNK	(PAGE_SIZE / sizeof(unsigned long))
#define ZHEAP_SLOT_END		0xffffUL
#define ZHEAP_SLOT_ID_BITS	9
#define ZHEAP_SLOT_IDX_MASK	(BIT(ZHEAP_SLOT_ID_BITS) - 1)
#define ZHEAP_MAX_CHUNK_ID	((1U << (31 - ZHEAP_SLOT_ID_BITS)) - 1)

static_assert(ZHEAP_SLOT_LOC_SHIFT + ZHEAP_LOC_BITS == BITS_PER_LONG);
static_assert(ZHEAP_SLOTS_PER_CHUNK < ZHEAP_SLOT_END);
static_assert((ZHEAP_SLOTS_PER_CHUNK - 1) >> ZHEAP_SLOT_ID_BITS == 0);
static_assert(ZHEAP_SLOTS_PER_CHUNK * sizeof(struct list_head) <=
	      ZHEAP_LRU_BYTES);

/* Word 0 of a chunk. */
struct zheap_chunk_header {
	u32 id;
	u16 inuse;
	u16 free_head;
};

static_assert(sizeof(struct zheap_chunk_header) <= sizeof(unsigned long));

#ifdef CONFIG_DEBUG_LOCK_ALLOC
static struct lock_class_key zheap_object_key;
static struct lockdep_map zheap_object_map =
	STATIC_LOCKDEP_MAP_INIT("zheap_object", &zheap_object_key);
#endif

/* Chunk id -> chunk page, for every pool. */
static DEFINE_XARRAY_ALLOC(zheap_chunks);

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

static struct list_head *chunk_lru(struct page *page)
{
	return (struct list_head *)page->index;
}

/* Word 0 of the chunk, or the companion's page->private in LRU pools. */
static struct zheap_chunk_header *chunk_header(struct page *page)
{
	struct list_head *lru = chunk_lru(page);

	if (lru)
		return (struct zheap_chunk_header *)&virt_to_page(lru)->private;
	return page_address(page);
}

/* The first slot's index: 0 where the header is not in the chunk. */
static unsigned int chunk_first(struct page *page)
{
	return chunk_lru(page) ? 0 : 1;
}

static unsigned long *chunk_slot(struct page *page, unsigned int idx)
{
	return (unsigned long *)page_address(page) + idx;
}

static unsigned long chunk_handle(struct page *page, unsigned int idx)
{
	return (unsigned long)chunk_header(page)->id << ZHEAP_SLOT_ID_BITS | idx;
}

static struct zheap_handle_table *chunk_table(struct page *page)
{
	return (struct zheap_handle_table *)page_private(page);
}

static void table_init(struct zheap_handle_table *table,
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
 * Return: 0 or -ENOMEM.
 */
int zheap_handles_init(struct zheap_pool *pool)
{
	unsigned int i, nr;

	/* A power of two, so picking a CPU's shard is a mask. */
	nr = rounddown_pow_of_two(min_t(unsigned int, nr_cpu_ids,
					ZHEAP_MAX_SHARDS));

	pool->shards = kcalloc(nr, sizeof(*pool->shards), GFP_KERNEL);
	if (!pool->shards)
		return -ENOMEM;
	pool->nr_shards = nr;
	for (i = 0; i < nr; i++)
		table_init(&pool->shards[i], pool);
	xa_init(&pool->memcg_tables);
	/* Only second chance reads R as "used since the hand passed". */
	pool->slot_ref = pool->lru && zheap_lru_pin_marks(pool->lru) ?
			 ZHEAP_SLOT_REF : 0;
	return 0;
}

static void chunk_free_now(struct page *page);

/*
 * The LRU entries of a new chunk, charged to the memcg the caller runs
 * in (zheap_malloc_memcg() sets it).
 */
static bool lru_companion_new(struct page *chunk, gfp_t gfp)
{
	struct list_head *entries;
	struct page *page;
	unsigned int i;

	page = alloc_pages(gfp | __GFP_COMP | __GFP_ACCOUNT, ZHEAP_LRU_ORDER);
	if (!page)
		return false;
	entries = page_address(page);
	for (i = 0; i < ZHEAP_SLOTS_PER_CHUNK; i++)
		INIT_LIST_HEAD(&entries[i]);
	/* The back pointer; ->private will hold the chunk's header. */
	page->index = (unsigned long)chunk;
	set_page_private(page, 0);
	chunk->index = (unsigned long)entries;
	return true;
}

static struct page *chunk_new(struct zheap_handle_table *table, gfp_t gfp)
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
	page->index = 0;	/* no LRU entries, unless set below */
	if (table->pool->lru && !lru_companion_new(page, gfp)) {
		__free_page(page);
		return NULL;
	}
	/* Owner first: a lookup may find the page as soon as it is stored. */
	set_page_private(page, (unsigned long)table);
	if (xa_alloc(&zheap_chunks, &id, page, XA_LIMIT(1, ZHEAP_MAX_CHUNK_ID),
		     gfp)) {
		set_page_private(page, 0);
		chunk_free_now(page);
		return NULL;
	}
	atomic_long_inc(&zheap_chunks_allocated);

	hdr = chunk_header(page);
	hdr->id = id;
	hdr->inuse = 0;
	hdr->free_head = chunk_first(page);
	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		unsigned long next = i + 1 < ZHEAP_SLOTS_PER_CHUNK ? i + 1 :
				     ZHEAP_SLOT_END;

		*chunk_slot(page, i) = next << 1;
	}
	return page;
}

static void chunk_free_now(struct page *page)
{
	if (page->index) {
		struct page *companion = virt_to_page(chunk_lru(page));

		companion->index = 0;
		set_page_private(companion, 0);
		free_pages(page->index, ZHEAP_LRU_ORDER);
		page->index = 0;
	}
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
	xa_erase(&zheap_chunks, chunk_header(page)->id);
	set_page_private(page, 0);
	atomic_long_dec(&zheap_chunks_allocated);
	call_rcu(&page->rcu_head, chunk_free_rcu);
}

/* Take a slot from @page, which has one free; return its index. */
static unsigned int chunk_take(struct zheap_handle_table *table,
			       struct page *page)
{
	struct zheap_chunk_header *hdr = chunk_header(page);
	unsigned int idx = hdr->free_head;
	unsigned long *slot = chunk_slot(page, idx);

	lockdep_assert_held(&table->lock);
	hdr->free_head = *slot >> 1;
	WRITE_ONCE(*slot, 0);
	hdr->inuse++;
	table->nr_used++;
	if (hdr->free_head == ZHEAP_SLOT_END)
		list_move(&page->lru, &table->full);
	return idx;
}

#ifdef CONFIG_MEMCG
static struct kmem_cache *zheap_table_cache;

/*
 * The id of the memcg that a kernel allocation made here would be charged
 * to, or 0 for the root (and for no memcg at all).  Dying memcgs are not
 * followed to their parent: the table is only a grouping, and list_lru
 * reads the charge from the companion page itself.
 */
static u64 charged_memcg_id(void)
{
	struct mem_cgroup *memcg;

	if (mem_cgroup_disabled())
		return 0;
	guard(rcu)();
	if (in_task()) {
		memcg = current->active_memcg;
		if (!memcg)
			memcg = mem_cgroup_from_task(current);
	} else {
		memcg = this_cpu_read(int_active_memcg);
	}
	if (!memcg || !memcg->css.parent)
		return 0;
	return cgroup_id(memcg->css.cgroup);
}

/*
 * The handle table of the memcg @id, made on first use.  It is allocated
 * with kmem_cache_alloc_lru(), which makes the pool's list_lru ready for
 * that memcg and its ancestors (list_lru_add() expects it).
 */
static struct zheap_handle_table *memcg_table(struct zheap_pool *pool, u64 id,
					      gfp_t gfp)
{
	struct zheap_handle_table *table, *old;

	table = xa_load(&pool->memcg_tables, id);
	if (table)
		return table;
	table = kmem_cache_alloc_lru(zheap_table_cache,
				     zheap_lru_list(pool->lru),
				     (gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE)) | __GFP_ZERO |
				     __GFP_ACCOUNT);
	if (!table)
		return NULL;
	table_init(table, pool);
	old = xa_cmpxchg(&pool->memcg_tables, id, NULL, table,
			 gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
	if (old) {
		kmem_cache_free(zheap_table_cache, table);
		return xa_is_err(old) ? NULL : old;
	}
	return table;
}
#else
static u64 charged_memcg_id(void)
{
	return 0;
}

static struct zheap_handle_table *memcg_table(struct zheap_pool *pool, u64 id,
					      gfp_t gfp)
{
	return NULL;
}
#endif

/* Where a new slot comes from: this CPU's shard, or the caller's memcg's. */
static struct zheap_handle_table *alloc_table(struct zheap_pool *pool,
					      gfp_t gfp)
{
	u64 id = pool->lru ? charged_memcg_id() : 0;

	if (id)
		return memcg_table(pool, id, gfp);
	return &pool->shards[raw_smp_processor_id() & (pool->nr_shards - 1)];
}

/**
 * zheap_handle_alloc() - take a handle slot
 * @pool: the pool
 * @gfp: flags for a new chunk, if one is needed
 * @slot: set to the slot, for zheap_handle_set()
 *
 * The slot comes from the shard of the CPU the caller runs on (in a pool
 * with an LRU, from the table of the caller's memcg if that is not the
 * root), and is not live until zheap_handle_set().
 *
 * Context: Process or atomic context, as @gfp allows.  Takes and releases
 * a shard lock.
 * Return: the handle, or 0 if no memory.
 */
unsigned long zheap_handle_alloc(struct zheap_pool *pool, gfp_t gfp,
				 unsigned long **slot)
{
	struct zheap_handle_table *table;
	struct page *page, *fresh = NULL;
	unsigned int idx;

	table = alloc_table(pool, gfp);
	if (!table)
		return 0;
	spin_lock(&table->lock);
	page = list_first_entry_or_null(&table->partial, struct page, lru);
	if (!page) {
		spin_unlock(&table->lock);
		fresh = chunk_new(table, gfp);
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

/* Give slot @idx back to @page; return the chunk if it became empty. */
static struct page *chunk_put(struct zheap_handle_table *table,
			      struct page *page, unsigned int idx)
{
	struct zheap_chunk_header *hdr = chunk_header(page);
	bool was_full = hdr->free_head == ZHEAP_SLOT_END;

	lockdep_assert_held(&table->lock);
	WRITE_ONCE(*chunk_slot(page, idx), (unsigned long)hdr->free_head << 1);
	hdr->free_head = idx;
	hdr->inuse--;
	table->nr_used--;
	if (!hdr->inuse) {
		list_del(&page->lru);
		table->nr_chunks--;
		return page;
	}
	if (was_full)
		list_move(&page->lru, &table->partial);
	return NULL;
}

/*
 * The chunk page @handle names, if it is a chunk of @pool and @handle
 * names a slot in it; NULL for anything else.
 */
static struct page *handle_chunk(struct zheap_pool *pool, unsigned long handle)
{
	struct zheap_handle_table *table;
	struct page *page;

	if (handle >> 31)
		return NULL;
	page = xa_load(&zheap_chunks, handle >> ZHEAP_SLOT_ID_BITS);
	if (!page || (handle & ZHEAP_SLOT_IDX_MASK) < chunk_first(page))
		return NULL;
	/*
	 * A table outlives its chunks by a grace period (the pool frees its
	 * tables after synchronize_rcu()), and callers hold RCU or a live
	 * object of the chunk.
	 */
	table = chunk_table(page);
	if (!table || READ_ONCE(table->pool) != pool)
		return NULL;
	return page;
}

static unsigned long *handle_slot(struct page *page, unsigned long handle)
{
	return chunk_slot(page, handle & ZHEAP_SLOT_IDX_MASK);
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
	struct page *page = handle_chunk(pool, handle), *empty;
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
static unsigned long *pool_slot(struct zheap_pool *pool, unsigned long handle)
{
	struct page *page = handle_chunk(pool, handle);

	return page ? handle_slot(page, handle) : NULL;
}

static unsigned long slot_loc(unsigned long word)
{
	return word >> ZHEAP_SLOT_LOC_SHIFT;
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
	unsigned long *slot = pool_slot(pool, handle), word;

	if (!slot)
		return false;
	word = READ_ONCE(*slot);
	if (!(word & ZHEAP_SLOT_LIVE))
		return false;
	*loc = slot_loc(word);
	return true;
}

/**
 * zheap_object_pin() - start using an object
 * @pool: the pool
 * @handle: the object
 * @loc: set to its location, stable until zheap_object_unpin()
 *
 * Waits while the object is being moved or freed (never long: the holder
 * of the lock does not sleep), or while three other users hold it.
 *
 * Context: Any context but hard interrupt.
 * Return: true, or false if @handle is not a live object of @pool.
 */
bool zheap_object_pin(struct zheap_pool *pool, unsigned long handle,
		      unsigned long *loc)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word;

	if (!slot)
		return false;
	word = READ_ONCE(*slot);
	do {
		while ((word & ZHEAP_SLOT_LIVE) &&
		       ((word & ZHEAP_SLOT_LOCKED) ||
			(word & ZHEAP_SLOT_PINS) == ZHEAP_SLOT_PINS)) {
			cpu_relax();
			word = READ_ONCE(*slot);
		}
		if (!(word & ZHEAP_SLOT_LIVE))
			return false;
	} while (!try_cmpxchg(slot, &word,
			      (word + ZHEAP_SLOT_PIN) | pool->slot_ref));
	*loc = slot_loc(word);
	return true;
}

/**
 * zheap_object_unpin() - stop using an object
 * @pool: the pool
 * @handle: an object the caller pinned
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @handle is not a pinned live object of @pool.
 */
int zheap_object_unpin(struct zheap_pool *pool, unsigned long handle)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word;

	if (!slot)
		return -EINVAL;
	word = READ_ONCE(*slot);
	do {
		if (!(word & ZHEAP_SLOT_LIVE) || !(word & ZHEAP_SLOT_PINS))
			return -EINVAL;
	} while (!try_cmpxchg(slot, &word, word - ZHEAP_SLOT_PIN));
	return 0;
}

/**
 * zheap_object_busy() - is an object pinned or locked?
 * @pool: the pool
 * @handle: the object
 *
 * Context: Any context.  The answer may change at once; the migration
 * layer uses it only to refuse isolating a page early.
 * Return: true if the object is in use, or is not live.
 */
bool zheap_object_busy(struct zheap_pool *pool, unsigned long handle)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word;

	if (!slot)
		return true;
	word = READ_ONCE(*slot);
	return !(word & ZHEAP_SLOT_LIVE) ||
	       (word & (ZHEAP_SLOT_LOCKED | ZHEAP_SLOT_PINS));
}

/*
 * Set L on a live, unpinned, unlocked slot; no waiting.  With @mark (R),
 * only if R is clear, setting it in the same update.
 */
static bool slot_trylock_mark(unsigned long *slot, unsigned long *loc,
			      unsigned long mark)
{
	unsigned long word = READ_ONCE(*slot);

	do {
		if (!(word & ZHEAP_SLOT_LIVE) ||
		    (word & (ZHEAP_SLOT_LOCKED | ZHEAP_SLOT_PINS | mark)))
			return false;
	} while (!try_cmpxchg(slot, &word, word | ZHEAP_SLOT_LOCKED | mark));
	if (loc)
		*loc = slot_loc(word);
	return true;
}

static bool slot_trylock(unsigned long *slot, unsigned long *loc)
{
	return slot_trylock_mark(slot, loc, 0);
}

static void slot_unlock(unsigned long *slot)
{
	unsigned long word = READ_ONCE(*slot);

	WARN_ON_ONCE(!(word & ZHEAP_SLOT_LOCKED));
	while (!try_cmpxchg(slot, &word, word & ~ZHEAP_SLOT_LOCKED))
		;
}

/**
 * zheap_objects_trylock() - lock every object of a page, or none
 * @pool: the pool
 * @handles: the objects
 * @nr: how many
 *
 * For the migration layer, which must hold every object of a page to move
 * it.  One lockdep acquisition stands for the whole set.
 *
 * Context: Preemption disabled.
 * Return: true if all are locked; false (none locked) if one is busy.
 */
bool zheap_objects_trylock(struct zheap_pool *pool,
			   const unsigned long *handles, unsigned int nr)
{
	unsigned int i;

	lockdep_assert_preemption_disabled();
	for (i = 0; i < nr; i++) {
		unsigned long *slot = pool_slot(pool, handles[i]);

		if (!slot || !slot_trylock(slot, NULL))
			goto err_unlock;
	}
	lock_map_acquire_try(&zheap_object_map);
	return true;

err_unlock:
	while (i--)
		slot_unlock(pool_slot(pool, handles[i]));
	return false;
}

/**
 * zheap_objects_unlock() - end zheap_objects_trylock()
 * @pool: the pool
 * @handles: the objects
 * @nr: how many
 *
 * Context: As for the lock.
 */
void zheap_objects_unlock(struct zheap_pool *pool,
			  const unsigned long *handles, unsigned int nr)
{
	unsigned int i;

	lock_map_release(&zheap_object_map);
	for (i = 0; i < nr; i++)
		slot_unlock(pool_slot(pool, handles[i]));
}

/**
 * zheap_object_lock() - lock an object to free it
 * @pool: the pool
 * @handle: what the consumer gave us
 * @loc: set to the object's location
 *
 * Waits while a mover holds the object; does not wait for users.
 *
 * Context: Preemption disabled; not in hard interrupt.
 * Return: 0; -EINVAL if @handle is not live in @pool; -EBUSY if a user
 * has it pinned.
 */
int zheap_object_lock(struct zheap_pool *pool, unsigned long handle,
		      unsigned long *loc)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word;

	lockdep_assert_preemption_disabled();
	if (!slot)
		return -EINVAL;
	lock_map_acquire(&zheap_object_map);
	word = READ_ONCE(*slot);
	do {
		while ((word & ZHEAP_SLOT_LIVE) && (word & ZHEAP_SLOT_LOCKED)) {
			cpu_relax();
			word = READ_ONCE(*slot);
		}
		if (!(word & ZHEAP_SLOT_LIVE) || (word & ZHEAP_SLOT_PINS)) {
			lock_map_release(&zheap_object_map);
			return word & ZHEAP_SLOT_LIVE ? -EBUSY : -EINVAL;
		}
	} while (!try_cmpxchg(slot, &word, word | ZHEAP_SLOT_LOCKED));
	*loc = slot_loc(word);
	return 0;
}

/* Replace the location bits of a slot the caller holds locked. */
static void slot_set_loc(unsigned long *slot, unsigned long mask,
			 unsigned long bits)
{
	unsigned long word = READ_ONCE(*slot), loc;

	lockdep_assert(lock_is_held(&zheap_object_map));
	if (WARN_ON_ONCE(!(word & ZHEAP_SLOT_LOCKED)))
		return;
	do {
		loc = slot_loc(word);
		loc = ((loc & ~mask) | (bits & mask)) &
		      (BIT(ZHEAP_LOC_BITS) - 1);
	} while (!try_cmpxchg(slot, &word,
			      (word & (BIT(ZHEAP_SLOT_LOC_SHIFT) - 1)) |
			      loc << ZHEAP_SLOT_LOC_SHIFT));
}

/* Lock @handle's object if no one uses it; see slot_trylock_mark(). */
static unsigned long *object_trylock_mark(struct zheap_pool *pool,
					  unsigned long handle,
					  unsigned long *loc,
					  unsigned long mark)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle);

	lockdep_assert_preemption_disabled();
	if (!slot || !slot_trylock_mark(slot, loc, mark))
		return NULL;
	lock_map_acquire_try(&zheap_object_map);
	return slot;
}

/**
 * zheap_object_trylock_slot() - lock an object to move it, if no one uses it
 * @pool: the pool
 * @handle: the object
 * @loc: set to its location
 *
 * For a mover that rewrites the location and unlocks next: the returned
 * slot goes to zheap_slot_unlock_at() without another lookup.  Whoever
 * holds the lock may not sleep.
 *
 * Context: Preemption disabled.
 * Return: the slot, locked; NULL if the object is pinned, locked or not
 * live.
 */
unsigned long *zheap_object_trylock_slot(struct zheap_pool *pool,
					 unsigned long handle,
					 unsigned long *loc)
{
	return object_trylock_mark(pool, handle, loc, 0);
}

/**
 * zheap_mover_lock() - lock an object for a backend's move_unit
 * @mv: the mover compaction gave the backend
 * @handle: an object of the unit being emptied
 * @loc: set to its location
 *
 * As zheap_object_trylock_slot(), for the compactor's inner loop.  The
 * objects of a unit mostly share a few handle chunks, so @mv keeps the
 * last chunk found and skips the chunk lookup when the next object is in
 * it.  The owner lock held throughout the unit keeps a chunk freed
 * meanwhile from being reused (its page waits for a grace period); a
 * freed one has no table any more and is looked up again.
 *
 * Context: The owner lock of the unit held.
 * Return: a cookie for zheap_mover_unlock(); NULL (counted in
 * compact_busy) if the object is in use.
 */
void *zheap_mover_lock(struct zheap_mover *mv, unsigned long handle,
		       unsigned long *loc)
{
	unsigned long id = handle >> ZHEAP_SLOT_ID_BITS, *slot = NULL;
	struct page *page = mv->chunk;

	lockdep_assert_preemption_disabled();
	if (!page || mv->chunk_id != id || !chunk_table(page)) {
		page = handle_chunk(mv->pool, handle);
		mv->chunk = page;
		mv->chunk_id = id;
	}
	if (page && (handle & ZHEAP_SLOT_IDX_MASK) >= chunk_first(page))
		slot = handle_slot(page, handle);
	if (!slot || !slot_trylock(slot, loc)) {
		this_cpu_inc(mv->pool->stats->compact_busy);
		return NULL;
	}
	lock_map_acquire_try(&zheap_object_map);
	return slot;
}
EXPORT_SYMBOL_GPL(zheap_mover_lock);

/**
 * zheap_mover_unlock() - give an object its location and unlock it
 * @mv: the mover
 * @cookie: from zheap_mover_lock()
 * @loc: the object's location from now on (its old one if it did not move)
 *
 * Context: As for zheap_mover_lock().
 */
void zheap_mover_unlock(struct zheap_mover *mv, void *cookie,
			unsigned long loc)
{
	zheap_slot_unlock_at(cookie, loc);
}
EXPORT_SYMBOL_GPL(zheap_mover_unlock);

/**
 * zheap_slot_unlock_at() - give a locked object its location and unlock it
 * @slot: from zheap_object_trylock_slot()
 * @loc: the object's location from now on
 *
 * One atomic update: no one sees the new location before the object is
 * in it, nor the object unlocked at its old one.
 *
 * Context: As for the lock.
 */
void zheap_slot_unlock_at(unsigned long *slot, unsigned long loc)
{
	unsigned long word = READ_ONCE(*slot);

	lockdep_assert(lock_is_held(&zheap_object_map));
	lock_map_release(&zheap_object_map);
	WARN_ON_ONCE(!(word & ZHEAP_SLOT_LOCKED));
	loc &= BIT(ZHEAP_LOC_BITS) - 1;
	while (!try_cmpxchg(slot, &word,
			    (word & (BIT(ZHEAP_SLOT_LOC_SHIFT) - 1) &
			     ~ZHEAP_SLOT_LOCKED) | loc << ZHEAP_SLOT_LOC_SHIFT))
		;
}

/**
 * zheap_object_lock_held() - does this context hold an object lock?
 *
 * For lockdep assertions in the layers that rely on it (lru/).
 *
 * Context: Any context.
 * Return: true if lockdep says an object lock is held here, or lockdep is
 * off.
 */
bool zheap_object_lock_held(void)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	return lock_is_held(&zheap_object_map);
#else
	return true;
#endif
}

/**
 * zheap_object_unlock() - end an object lock without moving or freeing
 * @pool: the pool
 * @handle: an object the caller locked
 *
 * Context: As for the lock.
 */
void zheap_object_unlock(struct zheap_pool *pool, unsigned long handle)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle);

	lock_map_release(&zheap_object_map);
	if (!WARN_ON_ONCE(!slot))
		slot_unlock(slot);
}

/**
 * zheap_handle_relocate() - change part of a locked object's location
 * @pool: the pool
 * @handle: an object the caller holds locked
 * @mask: the location bits that change
 * @bits: their new values
 *
 * Context: The caller holds the object's lock.
 */
void zheap_handle_relocate(struct zheap_pool *pool, unsigned long handle,
			   unsigned long mask, unsigned long bits)
{
	unsigned long *slot = pool_slot(pool, handle);

	if (!WARN_ON_ONCE(!slot))
		slot_set_loc(slot, mask, bits);
}

/**
 * zheap_handle_release() - end a locked object's slot
 * @pool: the pool
 * @handle: an object the caller locked with zheap_object_lock()
 *
 * Ends the lock too.
 *
 * Context: As for the lock.  Takes and releases a shard lock.
 */
void zheap_handle_release(struct zheap_pool *pool, unsigned long handle)
{
	struct page *page = handle_chunk(pool, handle), *empty;
	struct zheap_handle_table *table;

	lock_map_release(&zheap_object_map);
	if (WARN_ON_ONCE(!page))
		return;
	table = chunk_table(page);
	spin_lock(&table->lock);
	WARN_ON_ONCE(!(*handle_slot(page, handle) & ZHEAP_SLOT_LOCKED));
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
#ifdef CONFIG_MEMCG
	struct zheap_handle_table *table;
	unsigned long id;

	xa_for_each(&pool->memcg_tables, id, table)
		kmem_cache_free(zheap_table_cache, table);
#endif
	xa_destroy(&pool->memcg_tables);
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

/**
 * zheap_handle_chunks() - chunk pages a pool holds
 * @pool: the pool
 *
 * In a pool with an LRU each chunk has ZHEAP_LRU_BYTES of LRU entries too.
 *
 * Context: Any context.
 * Return: the number of chunks in all of the pool's tables.
 */
unsigned long zheap_handle_chunks(struct zheap_pool *pool)
{
	struct zheap_handle_table *table;
	unsigned long chunks = 0, id;
	unsigned int i;

	for (i = 0; i < pool->nr_shards; i++)
		chunks += READ_ONCE(pool->shards[i].nr_chunks);
	xa_for_each(&pool->memcg_tables, id, table)
		chunks += READ_ONCE(table->nr_chunks);
	return chunks;
}

/**
 * zheap_handles_used() - slots in use
 * @pool: the pool
 *
 * Context: Any context.
 * Return: the number of slots handed out and not yet freed.
 */
unsigned long zheap_handles_used(struct zheap_pool *pool)
{
	struct zheap_handle_table *table;
	unsigned long used = 0, id;
	unsigned int i;

	for (i = 0; i < pool->nr_shards; i++)
		used += READ_ONCE(pool->shards[i].nr_used);
	xa_for_each(&pool->memcg_tables, id, table)
		used += READ_ONCE(table->nr_used);
	return used;
}

/**
 * zheap_handles_module_init() - set up what all pools share
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zheap_handles_module_init(void)
{
#ifdef CONFIG_MEMCG
	/* Accounted: kmem_cache_alloc_lru() readies list_lru for the memcg. */
	zheap_table_cache = KMEM_CACHE(zheap_handle_table, SLAB_ACCOUNT);
	if (!zheap_table_cache)
		return -ENOMEM;
#endif
	return 0;
}

/**
 * zheap_handles_module_exit() - undo zheap_handles_module_init()
 *
 * Context: Module exit, after every pool is gone.
 */
void zheap_handles_module_exit(void)
{
#ifdef CONFIG_MEMCG
	kmem_cache_destroy(zheap_table_cache);
#endif
}

/**
 * zheap_handle_lru_entry() - an object's LRU entry
 * @pool: a pool with an LRU
 * @handle: the object
 *
 * Context: Any context.  The entry stays while the object is live; read
 * or write it only under the object's lock.
 * Return: the entry, or NULL if @handle is not a slot of @pool or the
 * pool has no LRU.
 */
struct list_head *zheap_handle_lru_entry(struct zheap_pool *pool,
					 unsigned long handle)
{
	guard(rcu)();
	struct page *page = handle_chunk(pool, handle);

	if (!page || !chunk_lru(page))
		return NULL;
	return chunk_lru(page) + (handle & ZHEAP_SLOT_IDX_MASK);
}

/**
 * zheap_lru_entry_handle() - the handle an LRU entry belongs to
 * @entry: an entry found on an LRU list
 *
 * Context: Any context; the entry's chunk must stay (it is on a list).
 * Return: the handle.
 */
unsigned long zheap_lru_entry_handle(struct list_head *entry)
{
	struct list_head *base;

	/* An order-1 page is aligned to its size. */
	base = (struct list_head *)ALIGN_DOWN((unsigned long)entry,
					      ZHEAP_LRU_BYTES);
	return chunk_handle((struct page *)virt_to_page(base)->index,
			    entry - base);
}

/**
 * zheap_object_claim() - lock a cold object for writeback, if no one uses it
 * @pool: the pool
 * @handle: the object
 * @second_chance: if the object's R bit is set, clear it and fail instead
 * @loc: set to the object's location
 *
 * Context: Preemption disabled (the LRU walk holds its list lock).
 * Return: the slot, locked as by zheap_object_trylock_slot(); or NULL and
 * *@loc = 0 if the object was referenced (R is now clear), *@loc = 1 if
 * it is pinned or locked, *@loc = 2 if it is not live.
 */
unsigned long *zheap_object_claim(struct zheap_pool *pool,
				  unsigned long handle, bool second_chance,
				  unsigned long *loc)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word;

	lockdep_assert_preemption_disabled();
	if (!slot) {
		*loc = 2;
		return NULL;
	}
	word = READ_ONCE(*slot);
	do {
		if (!(word & ZHEAP_SLOT_LIVE)) {
			*loc = 2;
			return NULL;
		}
		if (second_chance && (word & ZHEAP_SLOT_REF)) {
			if (try_cmpxchg(slot, &word, word & ~ZHEAP_SLOT_REF)) {
				*loc = 0;
				return NULL;
			}
			continue;
		}
		if (word & (ZHEAP_SLOT_LOCKED | ZHEAP_SLOT_PINS)) {
			*loc = 1;
			return NULL;
		}
	} while (!try_cmpxchg(slot, &word, word | ZHEAP_SLOT_LOCKED));
	lock_map_acquire_try(&zheap_object_map);
	*loc = slot_loc(word);
	return slot;
}

/**
 * zheap_object_lock_idle() - lock an object once no one uses it
 * @pool: the pool
 * @handle: the object
 * @loc: set to its location
 *
 * Unlike zheap_object_lock() this also waits for pins, sleeping between
 * tries: for the writeback path, which must end what it started.
 *
 * Context: Process context; may sleep.  Returns with preemption disabled
 * if it returns a slot.
 * Return: the slot, locked as by zheap_object_trylock_slot(); NULL if the
 * object is not live.
 */
unsigned long *zheap_object_lock_idle(struct zheap_pool *pool,
				      unsigned long handle, unsigned long *loc)
{
	unsigned long *slot, any;

	might_sleep();
	for (;;) {
		preempt_disable();
		slot = zheap_object_trylock_slot(pool, handle, loc);
		if (slot)
			return slot;
		preempt_enable();
		if (!zheap_handle_lookup(pool, handle, &any))
			return NULL;
		cond_resched();
	}
}

/**
 * zheap_object_set_ref() - set or clear an object's referenced bit
 * @pool: the pool
 * @handle: the object
 * @ref: set it if true, clear it if false
 *
 * Context: Any context.
 * Return: true, or false if @handle is not a live object of @pool.
 */
bool zheap_object_set_ref(struct zheap_pool *pool, unsigned long handle,
			  bool ref)
{
	guard(rcu)();
	unsigned long *slot = pool_slot(pool, handle), word, want;

	if (!slot)
		return false;
	word = READ_ONCE(*slot);
	do {
		if (!(word & ZHEAP_SLOT_LIVE))
			return false;
		want = ref ? word | ZHEAP_SLOT_REF : word & ~ZHEAP_SLOT_REF;
		if (want == word)
			return true;
	} while (!try_cmpxchg(slot, &word, want));
	return true;
}

/**
 * zheap_object_claim_first() - lock an object at its first use in an epoch
 * @pool: a pool with an LRU
 * @handle: the object
 * @loc: set to its location
 *
 * For the epoch policy (lru/lru.c): sets R and L in one update if R is
 * clear and no one else uses the object, so that of all the uses of an
 * object in one epoch only the first moves its LRU entry.  An object in
 * use keeps R clear: its next use tries again.
 *
 * Context: Preemption disabled.
 * Return: the slot, locked as by zheap_object_trylock_slot(); NULL if R
 * was set, the object is in use, or it is not live.
 */
unsigned long *zheap_object_claim_first(struct zheap_pool *pool,
					unsigned long handle,
					unsigned long *loc)
{
	return object_trylock_mark(pool, handle, loc, ZHEAP_SLOT_REF);
}

/* Clear R in the live slots of @page; free slots keep their links. */
static unsigned long chunk_clear_ref(struct page *page)
{
	unsigned long cleared = 0, *slot, word;
	unsigned int i;

	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		slot = chunk_slot(page, i);
		word = READ_ONCE(*slot);
		while ((word & (ZHEAP_SLOT_LIVE | ZHEAP_SLOT_REF)) ==
		       (ZHEAP_SLOT_LIVE | ZHEAP_SLOT_REF)) {
			if (try_cmpxchg(slot, &word, word & ~ZHEAP_SLOT_REF)) {
				cleared++;
				break;
			}
		}
	}
	return cleared;
}

/**
 * zheap_handles_clear_ref() - clear the referenced bit of a pool's objects
 * @pool: the pool
 *
 * Starts a new epoch of the LRU's epoch policy (lru/lru.c).  Walks every
 * chunk of @pool under RCU and clears R in each live slot with one atomic
 * update, beside pins, L and moves of the same words; a slot freed
 * meanwhile is left alone.  Objects used while the walk runs may keep R
 * or lose it: either is a valid state of the policy.
 *
 * Context: Process context; may sleep.
 * Return: how many bits it cleared.
 */
unsigned long zheap_handles_clear_ref(struct zheap_pool *pool)
{
	unsigned long id, cleared = 0;
	struct page *page;

	might_sleep();
	rcu_read_lock();
	xa_for_each(&zheap_chunks, id, page) {
		struct zheap_handle_table *table = chunk_table(page);

		if (!table || READ_ONCE(table->pool) != pool)
			continue;
		cleared += chunk_clear_ref(page);
		if (need_resched()) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return cleared;
}
