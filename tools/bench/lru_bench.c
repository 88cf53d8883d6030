// SPDX-License-Identifier: GPL-2.0
/*
 * zheap_bench, LRU part: what the object LRU costs and how well the
 * second-chance policy picks cold objects.
 *
 * Memory: the same objects in a pool without an LRU and in one with it;
 * the difference in metadata per object, and the LRU's bytes per handle
 * slot.
 *
 * Choice: a scripted workload over n objects offered to the LRU.  Each
 * round reads n/2 objects (80% of the reads go to a hot tenth of them, the
 * rest anywhere), then writes back n/50 with zheap_shrink() and stores
 * the written-back objects again (new data joins at the hot end).  The
 * bench keeps every object's last access; before each shrink it finds the
 * n/50 coldest, and counts how many of those written back were among
 * them.  Exact LRU must score 1.00; second chance is measured, over 10
 * rounds (before its hand has gone round the list once) and over 40 (a
 * steady state, where it has gone round twice), and so is the epoch
 * policy.  The read loop is timed too: what an access costs under each
 * policy, and how many accesses moved an entry.
 */

#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <zheap.h>

#include "bench.h"
#include "../../tests/zheap_pattern.h"

#define LRU_ROUNDS_SHORT	10
#define LRU_ROUNDS_LONG		40

struct lru_run {
	struct zheap_pool *pool;
	const u16 *sizes;
	unsigned int n;
	unsigned long *handles;
	u64 *last;		/* last access, by a counter */
	u64 *order;		/* scratch for finding the coldest */
	unsigned int *taken;	/* indices written back by one shrink */
	unsigned int nr_taken;
	struct xarray ids;	/* handle -> index */
	u64 clock;
	unsigned long bad;
	u8 *buf;
};

static void fill(u8 *buf, unsigned int i, size_t len)
{
	zheap_pattern_fill(buf, 0, len, i, 0);
}

static int lru_bench_writeback(struct zheap_pool *pool, unsigned long handle,
			       const void *data, size_t len, void *arg)
{
	struct lru_run *r = arg;
	void *entry = xa_load(&r->ids, handle);
	unsigned int i;

	if (!entry) {
		r->bad++;
		return -EINVAL;
	}
	i = xa_to_value(entry);
	fill(r->buf, i, r->sizes[i]);
	if (len != r->sizes[i] || memcmp(data, r->buf, len))
		r->bad++;
	xa_erase(&r->ids, handle);
	r->handles[i] = 0;
	r->taken[r->nr_taken++] = i;
	return 0;
}

static int store(struct lru_run *r, unsigned int i)
{
	size_t len = r->sizes[i];
	unsigned long h;
	int err;

	err = zheap_malloc(r->pool, len, GFP_KERNEL, &h);
	if (err)
		return err;
	fill(r->buf, i, len);
	err = zheap_write_object(r->pool, h, r->buf, len);
	if (!err && xa_err(xa_store(&r->ids, h, xa_mk_value(i), GFP_KERNEL)))
		err = -ENOMEM;
	if (!err)
		err = zheap_lru_add(r->pool, h);
	if (err) {
		xa_erase(&r->ids, h);
		zheap_free(r->pool, h);
		return err;
	}
	r->handles[i] = h;
	r->last[i] = ++r->clock;
	return 0;
}

/* The last access of the @w-th coldest live object. */
static u64 coldest_bound(struct lru_run *r, unsigned int w)
{
	unsigned int i, nr = 0;

	for (i = 0; i < r->n; i++)
		if (r->handles[i])
			r->order[nr++] = r->last[i];
	sort(r->order, nr, sizeof(u64), zheap_bench_cmp_u64, NULL);
	return nr >= w ? r->order[w - 1] : U64_MAX;
}

struct lru_score {
	u64 written;
	u64 hits;
	u64 ns;
	u64 reads;
	u64 read_ns;
	u64 rotated;
	u64 promoted;
	u64 epochs;
	unsigned long bad;
};

static int lru_choice(const char *backend, enum zheap_lru_policy policy,
		      const u16 *sizes, unsigned int n, unsigned int rounds,
		      unsigned long seed, struct lru_score *sc)
{
	struct zheap_lru_config cfg = {
		.writeback = lru_bench_writeback,
		.policy = policy,
	};
	unsigned int w = max(n / 50, 1U), round, k, i;
	struct lru_run r = { .sizes = sizes, .n = n };
	struct rnd_state rnd;
	struct zheap_stats s;
	int err = -ENOMEM;

	cfg.arg = &r;
	xa_init(&r.ids);
	r.handles = vcalloc(n, sizeof(*r.handles));
	r.last = vcalloc(n, sizeof(*r.last));
	r.order = vcalloc(n, sizeof(*r.order));
	r.taken = vcalloc(n, sizeof(*r.taken));
	r.buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!r.handles || !r.last || !r.order || !r.taken || !r.buf)
		goto out;
	r.pool = zheap_pool_create_lru("zheap_bench_lru", backend, &cfg);
	if (IS_ERR(r.pool)) {
		err = PTR_ERR(r.pool);
		r.pool = NULL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		err = store(&r, i);
		if (err)
			goto out;
	}

	prandom_seed_state(&rnd, seed);
	for (round = 0; round < rounds; round++) {
		u64 bound, t0 = ktime_get_ns();

		for (k = 0; k < n / 2; k++) {
			u32 x = prandom_u32_state(&rnd);

			i = x % 10 < 8 ? (x / 10) % (n / 10) * 10 : (x / 10) % n;
			if (!r.handles[i])
				continue;
			if (zheap_read_object(r.pool, r.handles[i], r.buf,
					      sizes[i]))
				r.bad++;
			r.last[i] = ++r.clock;
			sc->reads++;
			if (!(k % 1024))
				cond_resched();
		}
		sc->read_ns += ktime_get_ns() - t0;
		bound = coldest_bound(&r, w);
		r.nr_taken = 0;
		t0 = ktime_get_ns();
		zheap_shrink(r.pool, w);
		sc->ns += ktime_get_ns() - t0;
		for (k = 0; k < r.nr_taken; k++)
			sc->hits += r.last[r.taken[k]] <= bound;
		sc->written += r.nr_taken;
		for (k = 0; k < r.nr_taken; k++) {
			err = store(&r, r.taken[k]);
			if (err)
				goto out;
		}
	}
	zheap_pool_stats(r.pool, &s);
	sc->rotated = s.wb_rotated;
	sc->promoted = s.lru_promoted;
	sc->epochs = s.lru_epochs;
	err = 0;
out:
	if (r.pool) {
		for (i = 0; i < n; i++)
			if (r.handles[i])
				zheap_free(r.pool, r.handles[i]);
		zheap_pool_destroy(r.pool);
	}
	sc->bad = r.bad;
	xa_destroy(&r.ids);
	kfree(r.buf);
	vfree(r.taken);
	vfree(r.order);
	vfree(r.last);
	vfree(r.handles);
	return err;
}

/* Metadata of @n objects of @sizes in a pool with or without an LRU. */
static int lru_meta(const char *backend, bool lru, const u16 *sizes,
		    unsigned int n, struct zheap_stats *s)
{
	struct zheap_lru_config cfg = { .writeback = lru_bench_writeback };
	unsigned long *handles = vcalloc(n, sizeof(*handles));
	struct zheap_pool *pool;
	unsigned int i;
	int err = 0;

	if (!handles)
		return -ENOMEM;
	pool = lru ? zheap_pool_create_lru("zheap_bench_lru", backend, &cfg) :
		     zheap_pool_create("zheap_bench_lru", backend);
	if (IS_ERR(pool)) {
		vfree(handles);
		return PTR_ERR(pool);
	}
	for (i = 0; i < n && !err; i++)
		err = zheap_malloc(pool, sizes[i], GFP_KERNEL, &handles[i]);
	zheap_pool_stats(pool, s);
	for (i = 0; i < n; i++)
		if (handles[i])
			zheap_free(pool, handles[i]);
	zheap_pool_destroy(pool);
	vfree(handles);
	return err;
}

static void print_choice(const char *backend, const char *policy,
			 unsigned int rounds, const struct lru_score *sc,
			 const struct lru_score *ref)
{
	u64 milli = sc->written ? div64_u64(sc->hits * 1000, sc->written) : 0;
	u64 rate = sc->read_ns ? div64_u64(sc->reads * NSEC_PER_SEC,
					   sc->read_ns) : 0;
	u64 ref_rate = ref->read_ns ? div64_u64(ref->reads * NSEC_PER_SEC,
						ref->read_ns) : 0;
	u64 x100 = ref_rate ? div64_u64(rate * 100, ref_rate) : 0;

	pr_info("zheap_bench: lru choice   zheap-%-10s %-13s %2u rounds: among the coldest N %llu.%03llu (%llu of %llu), rotations %llu, moves %llu in %llu reads, epochs %llu; reads %8llu/s (%llu.%02llux second-chance), ns per object written %llu bad %lu\n",
		backend, policy, rounds, milli / 1000, milli % 1000, sc->hits,
		sc->written, sc->rotated, sc->promoted, sc->reads, sc->epochs,
		rate, x100 / 100, x100 % 100,
		sc->written ? div64_u64(sc->ns, sc->written) : 0, sc->bad);
}

/**
 * zheap_bench_lru() - the LRU part of the benchmark, on one backend
 * @backend: the zheap backend
 * @sizes: object sizes (a trace)
 * @n: how many objects
 * @seed: seeds the access pattern
 *
 * Context: Process context; may sleep.
 * Return: the number of objects that read back wrong, or a -errno.
 */
long zheap_bench_lru(const char *backend, const u16 *sizes, unsigned int n,
		     unsigned long seed)
{
	static const unsigned int rounds[] = {
		LRU_ROUNDS_SHORT, LRU_ROUNDS_LONG
	};
	static const struct {
		enum zheap_lru_policy policy;
		const char *name;
	} policies[] = {
		{ ZHEAP_LRU_SECOND_CHANCE, "second-chance" },
		{ ZHEAP_LRU_EXACT, "exact" },
		{ ZHEAP_LRU_EPOCH, "epoch" },
	};
	struct zheap_stats plain, lru;
	u64 dmeta, per_slot_x100, slot_x100;
	unsigned long bad = 0;
	unsigned int k, p;
	int err;

	if (n < 100)
		return -EINVAL;
	err = lru_meta(backend, false, sizes, n, &plain);
	if (!err)
		err = lru_meta(backend, true, sizes, n, &lru);
	if (err)
		return err;
	dmeta = lru.handle_bytes + lru.backend_meta_bytes + lru.lru_bytes -
		plain.handle_bytes - plain.backend_meta_bytes;
	/* In an LRU pool a chunk is PAGE_SIZE / 8 slots (its header is not). */
	per_slot_x100 = div64_u64(lru.lru_bytes * 100,
				  lru.handle_bytes / PAGE_SIZE *
				  (PAGE_SIZE / sizeof(long)));
	slot_x100 = div64_u64(lru.handle_bytes * 100, n);
	pr_info("zheap_bench: lru memory   zheap-%-10s objects %u: LRU entries %llu bytes = %llu.%02llu per handle slot; metadata per object %llu (no LRU) -> %llu (LRU), +%llu.%02llu (the handle slots themselves: %llu.%02llu)\n",
		backend, n, lru.lru_bytes, per_slot_x100 / 100,
		per_slot_x100 % 100,
		div64_u64(plain.handle_bytes + plain.backend_meta_bytes, n),
		div64_u64(lru.handle_bytes + lru.backend_meta_bytes +
			  lru.lru_bytes, n),
		div64_u64(dmeta, n), div64_u64(dmeta * 100, n) % 100,
		slot_x100 / 100, slot_x100 % 100);

	for (k = 0; k < ARRAY_SIZE(rounds); k++) {
		struct lru_score sc[ARRAY_SIZE(policies)] = {};

		for (p = 0; p < ARRAY_SIZE(policies); p++) {
			err = lru_choice(backend, policies[p].policy, sizes, n,
					 rounds[k], seed, &sc[p]);
			if (err)
				return err;
		}
		/* Read rates against the first, second chance. */
		for (p = 0; p < ARRAY_SIZE(policies); p++) {
			print_choice(backend, policies[p].name, rounds[k],
				     &sc[p], &sc[0]);
			bad += sc[p].bad;
		}
	}
	return bad;
}
