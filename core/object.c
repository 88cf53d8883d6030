// SPDX-License-Identifier: GPL-2.0
/*
 * zheap's object protocol: pins, the object lock, moves and release.
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
 * (try_cmpxchg()): pins, L, the mark M and the location share the word
 * and are changed from different contexts, so none may be a plain store.
 * Lock order: whoever holds L may then take a backend's owner lock
 * (zheap_free() does, through the backend's release); whoever holds an
 * owner lock only tries L (the migration callbacks and the compactor,
 * which takes compact_lock, then the owner lock, then tries each L).
 * L is annotated for lockdep as "zheap_object".
 */

#include <linux/lockdep.h>
#include <linux/rcupdate.h>

#include "slots.h"

#include <trace/events/zheap.h>

#ifdef CONFIG_DEBUG_LOCK_ALLOC
static struct lock_class_key zheap_object_key;
static struct lockdep_map zheap_object_map =
	STATIC_LOCKDEP_MAP_INIT("zheap_object", &zheap_object_key);
#endif

/**
 * zheap_refuse_interrupt() - the slow half of zheap_in_interrupt()
 * @op: the call, for the message
 *
 * One WARN per boot for all of zheap's entry points.
 *
 * Context: An interrupt handler.
 * Return: true.
 */
bool zheap_refuse_interrupt(const char *op)
{
	WARN_ONCE(1, "zheap: %s from interrupt context refused\n", op);
	return true;
}

/*
 * Wait for a fourth pin: the three users may sleep (zbud's maps may), so a
 * caller that may be preempted lets them run; one that may not, spins.
 * Asked outside RCU, which disables preemption without CONFIG_PREEMPT_RCU,
 * and only here, off the fast path.  The slot may go meanwhile: look it
 * up again.
 */
static unsigned long *pin_wait_full(struct zheap_pool *pool,
				    unsigned long handle)
	__must_hold(RCU)
{
	rcu_read_unlock();
	if (preemptible())
		cond_resched();
	else
		cpu_relax();
	rcu_read_lock();
	return zheap_slot_of(pool, handle);
}

/**
 * zheap_object_pin() - start using an object
 * @pool: the pool
 * @handle: the object
 * @loc: set to its location, stable until zheap_object_unpin()
 *
 * Waits while the object is being moved or freed (never long: the holder
 * of the lock does not sleep), or while three other users hold it: then
 * it yields the CPU between tries if the caller may be preempted, since
 * those users may sleep.
 *
 * Context: Any context but hard interrupt.
 * Return: true, or false if @handle is not a live object of @pool.
 */
bool zheap_object_pin(struct zheap_pool *pool, unsigned long handle,
		      unsigned long *loc)
{
	unsigned long *slot, word;
	bool live = false;

	rcu_read_lock();
	slot = zheap_slot_of(pool, handle);
	if (!slot)
		goto out;
	word = READ_ONCE(*slot);
	do {
		while ((word & ZHEAP_SLOT_LIVE) &&
		       ((word & ZHEAP_SLOT_LOCKED) ||
			(word & ZHEAP_SLOT_PINS) == ZHEAP_SLOT_PINS)) {
			if (word & ZHEAP_SLOT_LOCKED) {
				cpu_relax();
			} else {
				slot = pin_wait_full(pool, handle);
				if (!slot)
					goto out;
			}
			word = READ_ONCE(*slot);
		}
		if (!(word & ZHEAP_SLOT_LIVE))
			goto out;
	} while (!try_cmpxchg(slot, &word,
			      (word + ZHEAP_SLOT_PIN) | pool->pin_mark));
	*loc = slot_loc(word);
	live = true;
out:
	rcu_read_unlock();
	return live;
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
	unsigned long *slot = zheap_slot_of(pool, handle), word;

	if (!slot)
		return -EINVAL;
	word = READ_ONCE(*slot);
	do {
		if (!(word & ZHEAP_SLOT_LIVE) || !(word & ZHEAP_SLOT_PINS))
			return -EINVAL;
	} while (!try_cmpxchg(slot, &word, word - ZHEAP_SLOT_PIN));
	return 0;
}

/* The slot word of @handle now, 0 (not live) if it is no slot of @pool. */
static unsigned long slot_word(struct zheap_pool *pool, unsigned long handle)
{
	guard(rcu)();
	unsigned long *slot = zheap_slot_of(pool, handle);

	return slot ? READ_ONCE(*slot) : 0;
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
	unsigned long word = slot_word(pool, handle);

	return !(word & ZHEAP_SLOT_LIVE) ||
	       (word & (ZHEAP_SLOT_LOCKED | ZHEAP_SLOT_PINS));
}

/**
 * zheap_object_pinned() - does a user hold an object?
 * @pool: the pool
 * @handle: the object
 *
 * Context: Any context.  The answer may change at once unless the caller
 * ordered its own updates before it (zpool/pool.c's deferred free).
 * Return: true if @handle is a live object of @pool with a pin held.
 */
bool zheap_object_pinned(struct zheap_pool *pool, unsigned long handle)
{
	unsigned long word = slot_word(pool, handle);

	return (word & ZHEAP_SLOT_LIVE) && (word & ZHEAP_SLOT_PINS);
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
		unsigned long *slot = zheap_slot_of(pool, handles[i]);

		if (!slot || !slot_trylock(slot, NULL))
			goto err_unlock;
	}
	lock_map_acquire_try(&zheap_object_map);
	return true;

err_unlock:
	while (i--)
		slot_unlock(zheap_slot_of(pool, handles[i]));
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
		slot_unlock(zheap_slot_of(pool, handles[i]));
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
	struct page *chunk;

	return zheap_object_lock_chunk(pool, handle, loc, &chunk);
}

/*
 * zheap_object_lock_chunk()'s body, inlined there and in
 * zheap_object_free(), so that the free path of a pool without an LRU is
 * one call.
 */
static __always_inline int object_lock(struct zheap_pool *pool,
				       unsigned long handle,
				       unsigned long *loc, struct page **chunk)
{
	unsigned long *slot, word;

	/*
	 * No rcu_read_lock(): with preemption disabled this is an RCU
	 * reader as far as call_rcu() (chunk_free()) is concerned, and the
	 * lookup reads no RCU-checked pointer.
	 */
	lockdep_assert_preemption_disabled();
	*chunk = zheap_chunk_of(pool, handle);
	if (!*chunk)
		return -EINVAL;
	slot = handle_slot(*chunk, handle);
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

/**
 * zheap_object_lock_chunk() - zheap_object_lock(), keeping the chunk
 * @pool: the pool
 * @handle: what the consumer gave us
 * @loc: set to the object's location
 * @chunk: set to the handle chunk that holds its slot
 *
 * The free path hands @chunk on to zheap_object_release_chunk(), which
 * then does not look the handle up a second time.  The chunk lives while
 * its object is locked.
 *
 * Context: As for zheap_object_lock().
 * Return: As for zheap_object_lock().
 */
int zheap_object_lock_chunk(struct zheap_pool *pool, unsigned long handle,
			    unsigned long *loc, struct page **chunk)
{
	return object_lock(pool, handle, loc, chunk);
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
	unsigned long *slot = zheap_slot_of(pool, handle);

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
		page = zheap_chunk_of(mv->pool, handle);
		mv->chunk = page;
		mv->chunk_id = id;
	}
	if (page && (handle & ZHEAP_SLOT_IDX_MASK) >= chunk_first(page))
		slot = handle_slot(page, handle);
	if (!slot || !slot_trylock(slot, loc)) {
		zheap_count(mv->pool, ZHEAP_C_COMPACT_BUSY);
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
	unsigned long *slot = zheap_slot_of(pool, handle);

	lock_map_release(&zheap_object_map);
	if (!WARN_ON_ONCE(!slot))
		slot_unlock(slot);
}

/**
 * zheap_mover_relocate() - change part of a locked object's location
 * @pool: the pool
 * @handle: an object the caller holds locked (page_replaced: the
 *	migration layer locked every object of the page)
 * @mask: the location bits that change
 * @bits: their new values
 *
 * Context: The caller holds the object's lock.
 */
void zheap_mover_relocate(struct zheap_pool *pool, unsigned long handle,
			  unsigned long mask, unsigned long bits)
{
	unsigned long *slot = zheap_slot_of(pool, handle);

	if (!WARN_ON_ONCE(!slot))
		slot_set_loc(slot, mask, bits);
}
EXPORT_SYMBOL_GPL(zheap_mover_relocate);

/**
 * zheap_mover_stop() - say that move_unit stopped before its unit was empty
 * @mv: the mover move_unit was given
 *
 * Context: Any context.
 */
void zheap_mover_stop(struct zheap_mover *mv)
{
	mv->stopped = true;
}
EXPORT_SYMBOL_GPL(zheap_mover_stop);

/**
 * zheap_object_claim() - lock an object, if no one uses it, or spare it
 * @pool: the pool
 * @handle: the object
 * @spare_marked: if the object's mark is set, clear it and fail instead
 * @slot: set to the object's slot if it is claimed
 * @loc: set to the object's location if it is claimed
 *
 * Context: Preemption disabled (the LRU walk holds its list lock).
 * Return: ZHEAP_CLAIMED with the slot locked as by
 * zheap_object_trylock_slot(); ZHEAP_CLAIM_MARKED if @spare_marked and
 * the object was marked (the mark is now clear); ZHEAP_CLAIM_BUSY if it
 * is pinned or locked; ZHEAP_CLAIM_DEAD if it is not live.
 */
enum zheap_claim zheap_object_claim(struct zheap_pool *pool,
				    unsigned long handle, bool spare_marked,
				    unsigned long **slot, unsigned long *loc)
{
	guard(rcu)();
	unsigned long *s = zheap_slot_of(pool, handle), word;

	lockdep_assert_preemption_disabled();
	if (!s)
		return ZHEAP_CLAIM_DEAD;
	word = READ_ONCE(*s);
	do {
		if (!(word & ZHEAP_SLOT_LIVE))
			return ZHEAP_CLAIM_DEAD;
		if (spare_marked && (word & ZHEAP_SLOT_MARK)) {
			if (try_cmpxchg(s, &word, word & ~ZHEAP_SLOT_MARK))
				return ZHEAP_CLAIM_MARKED;
			continue;
		}
		if (word & (ZHEAP_SLOT_LOCKED | ZHEAP_SLOT_PINS))
			return ZHEAP_CLAIM_BUSY;
	} while (!try_cmpxchg(s, &word, word | ZHEAP_SLOT_LOCKED));
	lock_map_acquire_try(&zheap_object_map);
	*loc = slot_loc(word);
	*slot = s;
	return ZHEAP_CLAIMED;
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
 * zheap_object_set_mark() - set or clear an object's mark
 * @pool: the pool
 * @handle: the object
 * @mark: set it if true, clear it if false
 *
 * Context: Any context.
 * Return: true, or false if @handle is not a live object of @pool.
 */
bool zheap_object_set_mark(struct zheap_pool *pool, unsigned long handle,
			   bool mark)
{
	guard(rcu)();
	unsigned long *slot = zheap_slot_of(pool, handle), word, want;

	if (!slot)
		return false;
	word = READ_ONCE(*slot);
	do {
		if (!(word & ZHEAP_SLOT_LIVE))
			return false;
		want = mark ? word | ZHEAP_SLOT_MARK : word & ~ZHEAP_SLOT_MARK;
		if (want == word)
			return true;
	} while (!try_cmpxchg(slot, &word, want));
	return true;
}

/**
 * zheap_object_trylock_mark() - lock and mark an unmarked object
 * @pool: the pool
 * @handle: the object
 * @loc: set to its location
 *
 * Sets the mark and L in one update if the mark is clear and no one else
 * uses the object, so that of many callers until the mark is cleared
 * only the first gets the lock (lru/'s epoch policy: the first use in an
 * epoch moves the entry).  An object in use stays unmarked: the next
 * call tries again.
 *
 * Context: Preemption disabled.
 * Return: the slot, locked as by zheap_object_trylock_slot(); NULL if the
 * mark was set, the object is in use, or it is not live.
 */
unsigned long *zheap_object_trylock_mark(struct zheap_pool *pool,
					 unsigned long handle,
					 unsigned long *loc)
{
	return object_trylock_mark(pool, handle, loc, ZHEAP_SLOT_MARK);
}

/**
 * zheap_location_release() - give a backend back an object's space
 * @pool: the pool
 * @loc: the object's location; the caller holds the object locked
 *
 * Context: As for the lock.
 */
void zheap_location_release(struct zheap_pool *pool, unsigned long loc)
{
	size_t size = pool->backend->ops->release(pool->bpool, loc);

	zheap_count_sub(pool, ZHEAP_C_STORED_BYTES, size);
}

/**
 * zheap_object_release() - free a locked object
 * @pool: the pool
 * @handle: an object the caller holds locked
 * @loc: its location
 *
 * Its backend space and its slot go back, the lock with them.
 *
 * Context: As for the lock.
 */
void zheap_object_release(struct zheap_pool *pool, unsigned long handle,
			  unsigned long loc)
{
	zheap_object_release_chunk(pool, zheap_chunk_of(pool, handle), handle,
				   loc);
}

/* zheap_object_release_chunk()'s body; see object_lock(). */
static __always_inline void object_release(struct zheap_pool *pool,
					   struct page *chunk,
					   unsigned long handle,
					   unsigned long loc)
{
	/* Read once, before the backend's call: three counts follow it. */
	struct zheap_pcpu_stats __percpu *stats = pool->stats;
	size_t size = pool->backend->ops->release(pool->bpool, loc);

	this_cpu_sub(stats->c[ZHEAP_C_STORED_BYTES], size);
	/*
	 * The object lock ends for lockdep, then the slot goes back: without
	 * its shard's lock unless its chunk changes lists.
	 */
	lock_map_release(&zheap_object_map);
	if (chunk_put_lockless(chunk, handle & ZHEAP_SLOT_IDX_MASK))
		this_cpu_inc(stats->c[ZHEAP_C_LOCKLESS_FREES]);
	else
		zheap_slot_put(chunk, handle);
	this_cpu_inc(stats->c[ZHEAP_C_FREES]);
	trace_zheap_free(pool, handle, size);
	/* A free, a writeback or a zs_free() left a hole: tell migrate/. */
	if (pool->release_wq && READ_ONCE(*pool->release_kick_on) &&
	    !delayed_work_pending(&pool->bg_compact))
		queue_delayed_work(pool->release_wq, &pool->bg_compact,
				   pool->release_delay);
}

/**
 * zheap_object_release_chunk() - zheap_object_release(), chunk known
 * @pool: the pool
 * @chunk: the handle chunk zheap_object_lock_chunk() found
 * @handle: an object the caller holds locked
 * @loc: its location
 *
 * Context: As for zheap_object_release().
 */
void zheap_object_release_chunk(struct zheap_pool *pool, struct page *chunk,
				unsigned long handle, unsigned long loc)
{
	object_release(pool, chunk, handle, loc);
}

/**
 * zheap_object_free() - lock an object and release it, in one call
 * @pool: a pool without an LRU (zswap's and zram's)
 * @handle: the object
 *
 * zheap_object_lock_chunk() then zheap_object_release_chunk(), for the
 * frontend's free path when nothing has to happen between the two: one
 * call instead of two, both bodies inlined.
 *
 * Context: As for zheap_object_lock().
 * Return: As for zheap_object_lock(); the object is freed on 0 only.
 */
int zheap_object_free(struct zheap_pool *pool, unsigned long handle)
{
	struct page *chunk;
	unsigned long loc;
	int err;

	err = object_lock(pool, handle, &loc, &chunk);
	if (!err)
		object_release(pool, chunk, handle, loc);
	return err;
}
