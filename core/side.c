// SPDX-License-Identifier: GPL-2.0
/*
 * Per-slot side memory (core/): a few bytes beside every handle slot, for
 * a layer above core/ that keeps something per object.  core/ gives them
 * no meaning; lru/ keeps its LRU entries there.
 *
 * A pool asks for it before zheap_handles_init(), as data in struct
 * zheap_pool: @side_size bytes per slot (at most ZHEAP_SIDE_MAX, 0 for
 * none) and, optionally, @side_lru, a list_lru to make ready for every
 * memcg that gets a table (list_lru_add() expects it).  Then each chunk
 * gets a companion: an order-ZHEAP_SIDE_ORDER compound page, zeroed,
 * whose bytes [i * side_size, (i + 1) * side_size) belong to slot i.  The
 * chunk's page->index points to it; the companion's head page points
 * back with its ->index and holds the chunk's header in its ->private,
 * so that all 512 words of the chunk are slots and an entry found
 * anywhere names its handle (zheap_side_handle()).
 *
 * The companion is charged to the allocating task's memcg, and a user
 * such as list_lru can read an entry's memcg and node from the page it
 * sits in: nothing per object points at a memcg, and a memcg that goes
 * away is followed to its parent by the kernel's reparenting.  For that,
 * all slots of a chunk belong to objects of one memcg: a pool with side
 * memory keeps one handle table per memcg (@memcg_tables, made on first
 * use, freed with the pool) besides the per-CPU shards, which serve the
 * root memcg and whose companions are not charged.
 *
 * The memcg is read once per allocation, with a reference
 * (zheap_side_memcg_get()), and both the table (kmem_cache_alloc_lru(),
 * which readies @side_lru for it) and the companion are allocated with
 * it as the active memcg.  Read twice, once for the table and once by the
 * charge (current->objcg, which the kernel refreshes lazily after a
 * cgroup move), a task moved between the two got a companion charged to
 * a memcg whose list_lru was never made ready: list_lru_add() then
 * dereferenced NULL (issue 19).
 *
 * Who may read or write a slot's side bytes is the asking layer's rule;
 * lru/ does so only under the object's lock L.
 */

#include <linux/cgroup.h>
#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "slots.h"

/*
 * Attach zeroed side memory to a new chunk of @memcg's table, charged to
 * @memcg (zheap_side_memcg_get()); not charged for the root's shards.
 */
bool zheap_side_attach(struct zheap_pool *pool, struct page *chunk,
		       struct mem_cgroup *memcg, gfp_t gfp)
{
	struct mem_cgroup *old;
	struct page *page;

	gfp |= __GFP_COMP | __GFP_ZERO;
	if (memcg) {
		old = set_active_memcg(memcg);
		page = alloc_pages(gfp | __GFP_ACCOUNT, ZHEAP_SIDE_ORDER);
		set_active_memcg(old);
	} else {
		page = alloc_pages(gfp, ZHEAP_SIDE_ORDER);
	}
	if (!page)
		return false;
	/* The back pointer; ->private will hold the chunk's header. */
	page->index = (unsigned long)chunk;
	set_page_private(page, 0);
	chunk->index = (unsigned long)page_address(page);
	return true;
}

/* Free a chunk's side memory, if it has any. */
void zheap_side_detach(struct page *chunk)
{
	struct page *companion;

	if (!chunk_side(chunk))
		return;
	companion = virt_to_page(chunk_side(chunk));
	companion->index = 0;
	set_page_private(companion, 0);
	__free_pages(companion, ZHEAP_SIDE_ORDER);
	chunk->index = 0;
}

/**
 * zheap_slot_side() - a slot's side memory
 * @pool: a pool with side memory
 * @handle: the slot's handle
 *
 * Context: Any context.  The memory stays while the slot is handed out.
 * Return: @pool->side_size bytes, zero until first written; NULL if
 * @handle is not a slot of @pool or the pool has no side memory.
 */
void *zheap_slot_side(struct zheap_pool *pool, unsigned long handle)
{
	guard(rcu)();
	struct page *page = zheap_chunk_of(pool, handle);

	if (!page || !chunk_side(page))
		return NULL;
	return chunk_side(page) +
	       (handle & ZHEAP_SLOT_IDX_MASK) * pool->side_size;
}

/**
 * zheap_side_handle() - the handle whose side memory @side is
 * @pool: the pool
 * @side: from zheap_slot_side() on a slot of @pool
 *
 * Context: Any context; the slot must stay handed out meanwhile.
 * Return: the handle.
 */
unsigned long zheap_side_handle(struct zheap_pool *pool, const void *side)
{
	unsigned long base;

	/* A compound page is aligned to its size. */
	base = ALIGN_DOWN((unsigned long)side, ZHEAP_SIDE_BYTES);
	return chunk_handle((struct page *)virt_to_page((void *)base)->index,
			    ((unsigned long)side - base) / pool->side_size);
}

/**
 * zheap_side_bytes() - memory held for a pool's side memory
 * @pool: the pool
 *
 * Context: Any context.
 * Return: bytes of companion pages, 0 for a pool without side memory.
 */
unsigned long zheap_side_bytes(struct zheap_pool *pool)
{
	return pool->side_size ? zheap_handle_chunks(pool) * ZHEAP_SIDE_BYTES :
				 0;
}

#ifdef CONFIG_MEMCG
static struct kmem_cache *zheap_table_cache;

/*
 * The memcg that a new slot's side memory is charged to, with a
 * reference: the active memcg (zheap_malloc_memcg() sets it), else the
 * task's.  NULL for the root, for no memcg, and for a memcg that is going
 * away (its objects go to the root's shards, uncharged).
 */
struct mem_cgroup *zheap_side_memcg_get(void)
{
	struct mem_cgroup *memcg;

	if (mem_cgroup_disabled())
		return NULL;
	guard(rcu)();
	if (in_task()) {
		memcg = current->active_memcg;
		if (!memcg)
			memcg = mem_cgroup_from_task(current);
	} else {
		memcg = this_cpu_read(int_active_memcg);
	}
	if (!memcg || !memcg->css.parent || !css_tryget(&memcg->css))
		return NULL;
	return memcg;
}

void zheap_side_memcg_put(struct mem_cgroup *memcg)
{
	if (memcg)
		css_put(&memcg->css);
}

/*
 * The handle table of @memcg (from zheap_side_memcg_get()), made on first
 * use, or NULL.  It is allocated with kmem_cache_alloc_lru() with @memcg
 * active, which makes @side_lru ready for that memcg and its ancestors.
 */
struct zheap_handle_table *zheap_side_table(struct zheap_pool *pool,
					    struct mem_cgroup *memcg,
					    gfp_t gfp)
{
	struct zheap_handle_table *table, *old;
	u64 id = cgroup_id(memcg->css.cgroup);
	struct mem_cgroup *active;

	gfp &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
	table = xa_load(&pool->memcg_tables, id);
	if (table)
		return table;
	active = set_active_memcg(memcg);
	table = kmem_cache_alloc_lru(zheap_table_cache, pool->side_lru,
				     gfp | __GFP_ZERO | __GFP_ACCOUNT);
	set_active_memcg(active);
	if (!table)
		return NULL;
	zheap_table_init(table, pool);
	old = xa_cmpxchg(&pool->memcg_tables, id, NULL, table, gfp);
	if (old) {
		kmem_cache_free(zheap_table_cache, table);
		return xa_is_err(old) ? NULL : old;
	}
	return table;
}

void zheap_side_tables_fini(struct zheap_pool *pool)
{
	struct zheap_handle_table *table;
	unsigned long id;

	xa_for_each(&pool->memcg_tables, id, table)
		kmem_cache_free(zheap_table_cache, table);
	xa_destroy(&pool->memcg_tables);
}

int zheap_side_module_init(void)
{
	/* Accounted: kmem_cache_alloc_lru() readies list_lru for the memcg. */
	zheap_table_cache = KMEM_CACHE(zheap_handle_table, SLAB_ACCOUNT);
	return zheap_table_cache ? 0 : -ENOMEM;
}

void zheap_side_module_exit(void)
{
	kmem_cache_destroy(zheap_table_cache);
}
#else
struct mem_cgroup *zheap_side_memcg_get(void)
{
	return NULL;
}

void zheap_side_memcg_put(struct mem_cgroup *memcg)
{
}

struct zheap_handle_table *zheap_side_table(struct zheap_pool *pool,
					    struct mem_cgroup *memcg,
					    gfp_t gfp)
{
	return NULL;
}

void zheap_side_tables_fini(struct zheap_pool *pool)
{
	xa_destroy(&pool->memcg_tables);
}

int zheap_side_module_init(void)
{
	return 0;
}

void zheap_side_module_exit(void)
{
}
#endif
