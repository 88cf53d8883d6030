// SPDX-License-Identifier: GPL-2.0
/*
 * Walks over every chunk of a pool (core/): clearing the mark bit M in
 * each live slot (lru/'s epochs) and visiting each live slot (the
 * debugfs walk that checks the counters).  Both are lockless: they read
 * the chunk xarray under RCU and each slot word once, and update a word
 * only with a cmpxchg, so they run beside frees, pins and moves.
 */

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/xarray.h>

#include "slots.h"

/*
 * Call @fn on each chunk of @pool, under RCU; between chunks, let others
 * run if they need to.  Chunks that come or go meanwhile may be missed.
 */
static void pool_chunks_for_each(struct zheap_pool *pool,
				 void (*fn)(struct page *chunk, void *arg),
				 void *arg)
{
	struct page *page;
	unsigned long id;

	might_sleep();
	rcu_read_lock();
	xa_for_each(&zheap_chunks, id, page) {
		struct zheap_handle_table *table = chunk_table(page);

		if (!table || READ_ONCE(table->pool) != pool)
			continue;
		fn(page, arg);
		if (need_resched()) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

/* Clear M in the live slots of @page; free slots keep their links. */
static void chunk_clear_marks(struct page *page, void *arg)
{
	unsigned long *cleared = arg, *slot, word;
	unsigned int i;

	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++) {
		slot = chunk_slot(page, i);
		word = READ_ONCE(*slot);
		while ((word & (ZHEAP_SLOT_LIVE | ZHEAP_SLOT_MARK)) ==
		       (ZHEAP_SLOT_LIVE | ZHEAP_SLOT_MARK)) {
			if (try_cmpxchg(slot, &word, word & ~ZHEAP_SLOT_MARK)) {
				(*cleared)++;
				break;
			}
		}
	}
}

/**
 * zheap_slots_clear_marks() - clear the mark of every object of a pool
 * @pool: the pool
 *
 * Walks every chunk of @pool under RCU and clears M in each live slot
 * with one atomic update, beside pins, L and moves of the same words; a
 * slot freed meanwhile is left alone.  Objects marked while the walk runs
 * may keep M or lose it (lru/'s epoch policy, which starts an epoch with
 * it, takes either as valid).
 *
 * Context: Process context; may sleep.
 * Return: how many bits it cleared.
 */
unsigned long zheap_slots_clear_marks(struct zheap_pool *pool)
{
	unsigned long cleared = 0;

	pool_chunks_for_each(pool, chunk_clear_marks, &cleared);
	return cleared;
}

struct slots_walk {
	void (*visit)(unsigned long handle, void *arg);
	void *arg;
	unsigned long chunks;
};

static void chunk_walk(struct page *page, void *arg)
{
	struct slots_walk *w = arg;
	unsigned int i;

	w->chunks++;
	for (i = chunk_first(page); i < ZHEAP_SLOTS_PER_CHUNK; i++)
		if (READ_ONCE(*chunk_slot(page, i)) & ZHEAP_SLOT_LIVE)
			w->visit(chunk_handle(page, i), w->arg);
}

/**
 * zheap_slots_walk() - visit every live slot of a pool
 * @pool: the pool
 * @visit: called with each live slot's handle and @arg, under RCU: it
 *	must not sleep, and the object may be freed as it runs (pin it to
 *	use it)
 * @arg: passed to @visit
 *
 * Lockless, like zheap_slots_clear_marks(): a slot that becomes live or
 * is freed while the walk runs may or may not be visited, so only a walk
 * of a pool nobody uses meanwhile is exact.
 *
 * Context: Process context; may sleep.
 * Return: the chunks of @pool the walk visited.
 */
unsigned long zheap_slots_walk(struct zheap_pool *pool,
			       void (*visit)(unsigned long handle, void *arg),
			       void *arg)
{
	struct slots_walk w = { .visit = visit, .arg = arg };

	pool_chunks_for_each(pool, chunk_walk, &w);
	return w.chunks;
}
