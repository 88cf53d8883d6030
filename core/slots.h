/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to core/: the slot word's bits and the chunk helpers that
 * core/slots.c (the table), core/side.c (side memory) and core/object.c
 * (the object protocol) share.  The layout of both is described at the
 * top of core/slots.c.
 */
#ifndef _ZHEAP_CORE_SLOTS_H
#define _ZHEAP_CORE_SLOTS_H

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/xarray.h>

#include "core.h"

#define ZHEAP_SLOT_LIVE		BIT(0)
#define ZHEAP_SLOT_ID_SHIFT	1
#define ZHEAP_SLOT_ID_MASK	(ZHEAP_MAX_BACKENDS - 1)
#define ZHEAP_SLOT_LOCKED	BIT(4)
#define ZHEAP_SLOT_PIN		BIT(5)
#define ZHEAP_SLOT_PINS		(BIT(5) | BIT(6))
#define ZHEAP_SLOT_MARK		BIT(7)
#define ZHEAP_SLOT_LOC_SHIFT	8
#define ZHEAP_SLOTS_PER_CHUNK	(PAGE_SIZE / sizeof(unsigned long))
#define ZHEAP_SLOT_END		0xffffUL
#define ZHEAP_SLOT_ID_BITS	9
#define ZHEAP_SLOT_IDX_MASK	(BIT(ZHEAP_SLOT_ID_BITS) - 1)
#define ZHEAP_MAX_CHUNK_ID	((1U << (31 - ZHEAP_SLOT_ID_BITS)) - 1)
/* The chunk directory (core/slots.c): a leaf page maps 512 chunk ids. */
#define ZHEAP_CHUNK_LEAF_SHIFT	(PAGE_SHIFT - ilog2(sizeof(struct page *)))
#define ZHEAP_CHUNK_LEAF_MASK	(BIT(ZHEAP_CHUNK_LEAF_SHIFT) - 1)
#define ZHEAP_CHUNK_DIRS	((ZHEAP_MAX_CHUNK_ID >> ZHEAP_CHUNK_LEAF_SHIFT) + 1)

static_assert(ZHEAP_SLOT_LOC_SHIFT + ZHEAP_LOC_BITS == BITS_PER_LONG);
static_assert(ZHEAP_SLOTS_PER_CHUNK < ZHEAP_SLOT_END);
static_assert((ZHEAP_SLOTS_PER_CHUNK - 1) >> ZHEAP_SLOT_ID_BITS == 0);
static_assert(ZHEAP_SLOTS_PER_CHUNK * ZHEAP_SIDE_MAX <= ZHEAP_SIDE_BYTES);

/*
 * A chunk's slots in use and the head of its free-slot list, in one word
 * that is only ever updated with a cmpxchg: a free pushes its slot
 * without the shard lock (chunk_put_lockless()), a lock holder pops.
 */
union zheap_chunk_state {
	struct {
		u16 inuse;
		u16 free_head;
	};
	u32 word;
};

/* Word 0 of a chunk. */
struct zheap_chunk_header {
	u32 id;
	union zheap_chunk_state state;
};

static_assert(sizeof(struct zheap_chunk_header) <= sizeof(unsigned long));

/* The chunk's side memory (core/side.c), or NULL. */
static inline void *chunk_side(struct page *page)
{
	return (void *)page->index;
}

/* Word 0 of the chunk, or its companion's page->private (core/side.c). */
static inline struct zheap_chunk_header *chunk_header(struct page *page)
{
	void *side = chunk_side(page);

	if (side)
		return (struct zheap_chunk_header *)&virt_to_page(side)->private;
	return page_address(page);
}

/* The first slot's index: 0 where the header is not in the chunk. */
static inline unsigned int chunk_first(struct page *page)
{
	return chunk_side(page) ? 0 : 1;
}

static inline unsigned long *chunk_slot(struct page *page, unsigned int idx)
{
	return (unsigned long *)page_address(page) + idx;
}

static inline unsigned long chunk_handle(struct page *page, unsigned int idx)
{
	return (unsigned long)chunk_header(page)->id << ZHEAP_SLOT_ID_BITS | idx;
}

static inline struct zheap_handle_table *chunk_table(struct page *page)
{
	return (struct zheap_handle_table *)page_private(page);
}

static inline unsigned long *handle_slot(struct page *page, unsigned long handle)
{
	return chunk_slot(page, handle & ZHEAP_SLOT_IDX_MASK);
}

static inline unsigned long slot_loc(unsigned long word)
{
	return word >> ZHEAP_SLOT_LOC_SHIFT;
}

/* core/slots.c: every pool's chunks by id (core/walk.c walks it) */
extern struct xarray zheap_chunks;
extern struct page **zheap_chunk_dir[ZHEAP_CHUNK_DIRS];

/*
 * The chunk page @handle names, if it is a chunk of @pool and @handle
 * names a slot in it; NULL for anything else.  The caller holds RCU,
 * has preemption disabled, or holds a live object of the chunk.
 * Inline: it is most of the free path's lookup.
 */
static inline struct page *zheap_chunk_of(struct zheap_pool *pool,
					  unsigned long handle)
{
	unsigned long id = handle >> ZHEAP_SLOT_ID_BITS;
	struct zheap_handle_table *table;
	struct page **leaf, *page;

	if (handle >> 31)
		return NULL;
	leaf = READ_ONCE(zheap_chunk_dir[id >> ZHEAP_CHUNK_LEAF_SHIFT]);
	if (!leaf)
		return NULL;
	/* Pairs with chunk_dir_set()'s release: the page is whole. */
	page = smp_load_acquire(&leaf[id & ZHEAP_CHUNK_LEAF_MASK]);
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

/*
 * Give slot @idx of @page back without the shard lock, unless the chunk
 * would then change lists or go: its first free slot (full to partial)
 * and its last slot in use (the chunk is freed) need the lock, and false
 * sends the caller to zheap_slot_put().  The caller holds the slot locked
 * (zheap_object_lock()), so the chunk stays and @inuse stays above 0.
 * Inlined: it is the slot's whole release on most frees.
 */
static __always_inline bool chunk_put_lockless(struct page *page,
					       unsigned int idx)
{
	struct zheap_chunk_header *hdr = chunk_header(page);
	unsigned long *slot = chunk_slot(page, idx);
	unsigned long locked = READ_ONCE(*slot);
	union zheap_chunk_state old, new;

	VM_WARN_ON_ONCE(!(locked & ZHEAP_SLOT_LOCKED));
	old.word = READ_ONCE(hdr->state.word);
	do {
		if (old.free_head == ZHEAP_SLOT_END || old.inuse < 2) {
			/*
			 * A failed cmpxchg below may have left a link in the
			 * slot: it goes to zheap_slot_put() locked, as it came.
			 */
			WRITE_ONCE(*slot, locked);
			return false;
		}
		/* Not on the list until the cmpxchg (fully ordered) puts it. */
		WRITE_ONCE(*slot, (unsigned long)old.free_head << 1);
		new.free_head = idx;
		new.inuse = old.inuse - 1;
	} while (!try_cmpxchg(&hdr->state.word, &old.word, new.word));
	return true;
}

void zheap_table_init(struct zheap_handle_table *table,
		      struct zheap_pool *pool);
unsigned long *zheap_slot_of(struct zheap_pool *pool, unsigned long handle);
void zheap_slot_put(struct page *page, unsigned long handle);

/* core/side.c */
struct mem_cgroup *zheap_side_memcg_get(void);
void zheap_side_memcg_put(struct mem_cgroup *memcg);
bool zheap_side_attach(struct zheap_pool *pool, struct page *chunk,
		       struct mem_cgroup *memcg, gfp_t gfp);
void zheap_side_detach(struct page *chunk);
struct zheap_handle_table *zheap_side_table(struct zheap_pool *pool,
					    struct mem_cgroup *memcg,
					    gfp_t gfp);
void zheap_side_tables_fini(struct zheap_pool *pool);
int zheap_side_module_init(void);
void zheap_side_module_exit(void);

#endif /* _ZHEAP_CORE_SLOTS_H */
