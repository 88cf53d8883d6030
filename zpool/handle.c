// SPDX-License-Identifier: GPL-2.0
/*
 * zheap handle slots.
 *
 * A handle names an unsigned long slot; the slot holds where the object
 * lives now.  Moving an object rewrites the slot, never the consumer's copy
 * of the handle.
 *
 * Slots live in "chunks": order-0 pages owned by one pool.  Word 0 of a
 * chunk is its header, words 1..511 are slots.  Every chunk has an id in
 * one allocating xarray shared by all pools (zheap_chunks), and a handle is
 *
 *	handle = chunk id << ZHEAP_SLOT_ID_BITS | slot index (1..511)
 *
 * so a handle is below 2^31, is never 0 (index 0 is the header), and
 * doubles as the 32-bit name backends keep in their reverse maps.  Turning
 * a handle into its slot is one xa_load(); a handle that names no chunk,
 * a chunk of another pool (page->private names the owning shard), or the
 * header is refused without reading any memory that may have been freed:
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
 *	63                      8 7     4 3        1 0
 *	|        location        | flags | backend  | 1 |
 *
 * flags are reserved for the migration and LRU layers.  When free, bit 0
 * is clear and bits 1.. hold the index of the next free slot in the chunk
 * (ZHEAP_SLOT_END ends the list).  A slot handed out by
 * zheap_handle_alloc() but not yet set holds 0: neither live nor linked.
 *
 * Locking: each shard's lock (a spinlock, never held across a backend
 * call) protects its chunk lists, its chunks' headers and free links.  The
 * chunk xarray has its own lock, taken only when a chunk comes or goes;
 * lookups walk it under RCU.  A slot word is published with WRITE_ONCE()
 * and read with READ_ONCE().
 */

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "zheap_internal.h"

#define ZHEAP_SLOT_LIVE		BIT(0)
#define ZHEAP_SLOT_ID_SHIFT	1
#define ZHEAP_SLOT_ID_MASK	(ZHEAP_MAX_BACKENDS - 1)
#define ZHEAP_SLOT_LOC_SHIFT	8
#define ZHEAP_SLOTS_PER_CHUNK	(PAGE_SIZE / sizeof(unsigned long))
#define ZHEAP_SLOT_END		0xffffUL
#define ZHEAP_SLOT_ID_BITS	9
#define ZHEAP_SLOT_IDX_MASK	(BIT(ZHEAP_SLOT_ID_BITS) - 1)
#define ZHEAP_MAX_CHUNK_ID	((1U << (31 - ZHEAP_SLOT_ID_BITS)) - 1)

static_assert(ZHEAP_SLOT_LOC_SHIFT + ZHEAP_LOC_BITS == BITS_PER_LONG);
static_assert(ZHEAP_SLOTS_PER_CHUNK < ZHEAP_SLOT_END);
static_assert((ZHEAP_SLOTS_PER_CHUNK - 1) >> ZHEAP_SLOT_ID_BITS == 0);

/* Word 0 of a chunk. */
struct zheap_chunk_header {
	u32 id;
	u16 inuse;
	u16 free_head;
};

static_assert(sizeof(struct zheap_chunk_header) <= sizeof(unsigned long));

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

static struct zheap_chunk_header *chunk_header(struct page *page)
{
	return page_address(page);
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
	for (i = 0; i < nr; i++) {
		struct zheap_handle_table *table = &pool->shards[i];

		spin_lock_init(&table->lock);
		INIT_LIST_HEAD(&table->partial);
		INIT_LIST_HEAD(&table->full);
	}
	return 0;
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
	/* Owner first: a lookup may find the page as soon as it is stored. */
	set_page_private(page, (unsigned long)table);
	if (xa_alloc(&zheap_chunks, &id, page, XA_LIMIT(0, ZHEAP_MAX_CHUNK_ID),
		     gfp)) {
		set_page_private(page, 0);
		__free_page(page);
		return NULL;
	}
	atomic_long_inc(&zheap_chunks_allocated);

	hdr = chunk_header(page);
	hdr->id = id;
	hdr->inuse = 0;
	hdr->free_head = 1;
	for (i = 1; i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		unsigned long next = i + 1 < ZHEAP_SLOTS_PER_CHUNK ? i + 1 :
				     ZHEAP_SLOT_END;

		*chunk_slot(page, i) = next << 1;
	}
	return page;
}

static void chunk_free(struct page *page)
{
	xa_erase(&zheap_chunks, chunk_header(page)->id);
	set_page_private(page, 0);
	atomic_long_dec(&zheap_chunks_allocated);
	__free_page(page);
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

/**
 * zheap_handle_alloc() - take a handle slot
 * @pool: the pool
 * @gfp: flags for a new chunk, if one is needed
 * @slot: set to the slot, for zheap_handle_set()
 *
 * The slot comes from the shard of the CPU the caller runs on, and is not
 * live until zheap_handle_set().
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

	table = &pool->shards[raw_smp_processor_id() & (pool->nr_shards - 1)];
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
	unsigned long base = (unsigned long)pool->shards, owner;
	struct page *page;

	if (handle >> 31 || !(handle & ZHEAP_SLOT_IDX_MASK))
		return NULL;
	page = xa_load(&zheap_chunks, handle >> ZHEAP_SLOT_ID_BITS);
	if (!page)
		return NULL;
	owner = page_private(page);
	if (owner < base ||
	    owner >= base + pool->nr_shards * sizeof(*pool->shards))
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
 * zheap_handle_relocate() - change part of a live slot's location
 * @pool: the pool
 * @handle: a live handle of @pool
 * @mask: the location bits that change
 * @bits: their new values
 *
 * Context: The caller excludes every other user of the object.
 */
void zheap_handle_relocate(struct zheap_pool *pool, unsigned long handle,
			   unsigned long mask, unsigned long bits)
{
	struct page *page = handle_chunk(pool, handle);
	unsigned long *slot, word, loc;

	if (WARN_ON_ONCE(!page))
		return;
	slot = handle_slot(page, handle);
	word = READ_ONCE(*slot);
	loc = word >> ZHEAP_SLOT_LOC_SHIFT;
	loc = ((loc & ~mask) | (bits & mask)) & (BIT(ZHEAP_LOC_BITS) - 1);
	word &= BIT(ZHEAP_SLOT_LOC_SHIFT) - 1;
	WRITE_ONCE(*slot, word | loc << ZHEAP_SLOT_LOC_SHIFT);
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

/**
 * zheap_handle_lookup() - read a live slot
 * @pool: the pool
 * @handle: what the consumer gave us
 * @loc: the object's location, if live
 *
 * Context: Any context.  Lockless.
 * Return: true if @handle is a live slot of @pool.
 */
bool zheap_handle_lookup(struct zheap_pool *pool, unsigned long handle,
			 unsigned long *loc)
{
	struct page *page = handle_chunk(pool, handle);
	unsigned long word;

	if (!page)
		return false;
	word = READ_ONCE(*handle_slot(page, handle));
	if (!(word & ZHEAP_SLOT_LIVE))
		return false;
	*loc = word >> ZHEAP_SLOT_LOC_SHIFT;
	return true;
}

/**
 * zheap_handle_release() - end a live slot's life
 * @pool: the pool
 * @handle: what the consumer gave us
 * @loc: the location the object had
 *
 * Checking and freeing happen under the shard lock, so of two racing
 * frees of one handle exactly one succeeds.
 *
 * Context: Any context.  Takes and releases a shard lock.
 * Return: 0, or -EINVAL if @handle is not a live slot of @pool.
 */
int zheap_handle_release(struct zheap_pool *pool, unsigned long handle,
			 unsigned long *loc)
{
	struct page *page = handle_chunk(pool, handle), *empty;
	struct zheap_handle_table *table;
	unsigned long word;

	if (!page)
		return -EINVAL;
	table = chunk_table(page);
	spin_lock(&table->lock);
	word = *handle_slot(page, handle);
	if (!(word & ZHEAP_SLOT_LIVE)) {
		spin_unlock(&table->lock);
		return -EINVAL;
	}
	empty = chunk_put(table, page, handle & ZHEAP_SLOT_IDX_MASK);
	spin_unlock(&table->lock);

	if (empty)
		chunk_free(empty);
	*loc = word >> ZHEAP_SLOT_LOC_SHIFT;
	return 0;
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

	for (i = 1; i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		unsigned long word = *chunk_slot(page, i);

		if (word & ZHEAP_SLOT_LIVE) {
			release(pool, word >> ZHEAP_SLOT_LOC_SHIFT);
			nr++;
		}
	}
	return nr;
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
	struct page *page, *tmp;
	unsigned long nr = 0;
	unsigned int i;
	LIST_HEAD(chunks);

	for (i = 0; i < pool->nr_shards; i++) {
		struct zheap_handle_table *table = &pool->shards[i];

		spin_lock(&table->lock);
		list_splice_init(&table->partial, &chunks);
		list_splice_init(&table->full, &chunks);
		table->nr_chunks = 0;
		table->nr_used = 0;
		spin_unlock(&table->lock);
	}

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
 * Context: Process context.
 */
void zheap_handles_fini(struct zheap_pool *pool)
{
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
	unsigned long chunks = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_shards; i++)
		chunks += READ_ONCE(pool->shards[i].nr_chunks);
	return chunks * PAGE_SIZE;
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
	unsigned long used = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_shards; i++)
		used += READ_ONCE(pool->shards[i].nr_used);
	return used;
}
