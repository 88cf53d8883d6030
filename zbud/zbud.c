// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: zbud
 *
 * zheap's zbud backend keeps at most two objects ("buddies") per page.
 *
 * A page is cut into ZBUD_NGRAINS grains of ZBUD_GRAIN_SIZE bytes.  The
 * first buddy starts at the page's first byte, the last buddy ends at its
 * last byte, and the free grains lie between them.  An object of PAGE_SIZE
 * takes the whole page, as the first buddy.
 *
 * Each page has a descriptor (struct zbud_page) outside the page, reached
 * through page->private, so the whole page is available for objects and
 * the descriptor survives the page being replaced by a copy.  A page with
 * one buddy sits on unbuddied[n], n being its free grains; a page with two
 * buddies, or with one that fills it, sits on the buddied list.  place()
 * takes the page with the least free room that fits (best fit), else a new
 * page.
 *
 * A location is (pfn << 1) | buddy.
 *
 * Pages are movable (the migration layer moves them; page_replaced()
 * repoints the descriptor), which upstream zbud pages never were.  For
 * compaction, a page's lone buddy moves into the fullest other page it
 * fits in, smallest buddies first: that pairs lone buddies as well as
 * any order can (see zbud_compactable()), so compaction frees every page
 * that pairing can free.
 *
 * Locking: zbud_pool.owner.lock (a spinlock, also the migration layer's
 * owner lock for every page of the pool) protects the lists, the counts
 * and every descriptor field.  map(), unmap() and size() of a live object
 * take no lock: the caller pins the object, and a pinned object's
 * descriptor fields do not change.
 */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <zheap_backend.h>

#define ZBUD_GRAIN_SHIFT	6
#define ZBUD_GRAIN_SIZE		BIT(ZBUD_GRAIN_SHIFT)
#define ZBUD_NGRAINS		(PAGE_SIZE >> ZBUD_GRAIN_SHIFT)

enum zbud_buddy {
	ZBUD_FIRST,
	ZBUD_LAST,
	ZBUD_BUDDIES,
};

struct zbud_page {
	struct list_head list;		/* off every list while compacting */
	struct page *page;
	unsigned long handle[ZBUD_BUDDIES];
	u16 size[ZBUD_BUDDIES];		/* bytes; 0 when the buddy is free */
	bool compacting;		/* a compaction source */
};

struct zbud_pool {
	/*
	 * owner.lock protects: unbuddied, nr_unbuddied, buddied, nr_descs,
	 * every zbud_page's fields
	 */
	struct zheap_page_owner owner;
	struct list_head unbuddied[ZBUD_NGRAINS];
	unsigned int nr_unbuddied[ZBUD_NGRAINS];
	struct list_head buddied;
	unsigned long nr_descs;
	struct zheap_pool *pool;
};

static struct kmem_cache *zbud_page_cache;

static unsigned int size_to_grains(size_t size)
{
	return DIV_ROUND_UP(size, ZBUD_GRAIN_SIZE);
}

static unsigned int free_grains(const struct zbud_page *zp)
{
	return ZBUD_NGRAINS - size_to_grains(zp->size[ZBUD_FIRST]) -
	       size_to_grains(zp->size[ZBUD_LAST]);
}

static unsigned long encode_loc(struct page *page, enum zbud_buddy buddy)
{
	return page_to_pfn(page) << 1 | buddy;
}

static struct zbud_page *loc_desc(unsigned long loc)
{
	return (struct zbud_page *)page_private(pfn_to_page(loc >> 1));
}

static enum zbud_buddy loc_buddy(unsigned long loc)
{
	return loc & 1;
}

/* Two buddies, or one that fills the page: no room for another. */
static bool zbud_full(const struct zbud_page *zp)
{
	return !free_grains(zp) ||
	       (zp->size[ZBUD_FIRST] && zp->size[ZBUD_LAST]);
}

/* Put @zp on the list that matches its free room. */
static void zbud_file(struct zbud_pool *zb, struct zbud_page *zp)
{
	unsigned int free = free_grains(zp);

	lockdep_assert_held(&zb->owner.lock);
	if (zbud_full(zp)) {
		list_add(&zp->list, &zb->buddied);
	} else {
		list_add(&zp->list, &zb->unbuddied[free]);
		zb->nr_unbuddied[free]++;
	}
}

/* Take @zp off its list, if on one; call before its sizes change. */
static void zbud_unfile(struct zbud_pool *zb, struct zbud_page *zp)
{
	lockdep_assert_held(&zb->owner.lock);
	if (list_empty(&zp->list))
		return;
	list_del_init(&zp->list);
	if (!zbud_full(zp))
		zb->nr_unbuddied[free_grains(zp)]--;
}

static void *zbud_create(struct zheap_pool *pool)
{
	struct zbud_pool *zb;
	unsigned int i;

	zb = kzalloc(sizeof(*zb), GFP_KERNEL);
	if (!zb)
		return NULL;
	zheap_page_owner_init(&zb->owner, pool);
	for (i = 0; i < ZBUD_NGRAINS; i++)
		INIT_LIST_HEAD(&zb->unbuddied[i]);
	INIT_LIST_HEAD(&zb->buddied);
	zb->pool = pool;
	return zb;
}

/* Free @zp's page; the caller frees @zp after dropping the lock. */
static void zbud_page_release(struct zbud_pool *zb, struct zbud_page *zp)
{
	lockdep_assert_held(&zb->owner.lock);
	zb->nr_descs--;
	set_page_private(zp->page, 0);
	zheap_page_free(&zb->owner, zp->page);
}

static void zbud_destroy(void *bpool)
{
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp, *tmp;
	LIST_HEAD(all);
	unsigned int i;

	/* The frontend has released every object; anything left is a leak. */
	spin_lock(&zb->owner.lock);
	for (i = 0; i < ZBUD_NGRAINS; i++)
		list_splice_init(&zb->unbuddied[i], &all);
	list_splice_init(&zb->buddied, &all);
	WARN_ONCE(!list_empty(&all),
		  "zbud: pool destroyed still holding objects (%lu pages)\n",
		  zb->nr_descs);
	list_for_each_entry(zp, &all, list)
		zbud_page_release(zb, zp);
	spin_unlock(&zb->owner.lock);

	/*
	 * A migration callback may have found a released page's owner just
	 * before: the owner and descriptors go a grace period later.
	 */
	if (!list_empty(&all))
		synchronize_rcu();
	list_for_each_entry_safe(zp, tmp, &all, list)
		kmem_cache_free(zbud_page_cache, zp);
	kfree(zb);
}

/* The fullest page with room for @grains, or NULL. */
static struct zbud_page *zbud_find(struct zbud_pool *zb, unsigned int grains)
{
	unsigned int i;

	lockdep_assert_held(&zb->owner.lock);
	for (i = grains; i < ZBUD_NGRAINS; i++)
		if (!list_empty(&zb->unbuddied[i]))
			return list_first_entry(&zb->unbuddied[i],
						struct zbud_page, list);
	return NULL;
}

static struct zbud_page *zbud_page_new(struct zbud_pool *zb, gfp_t gfp)
{
	struct zbud_page *zp;

	zp = kmem_cache_zalloc(zbud_page_cache,
			       gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
	if (!zp)
		return NULL;
	INIT_LIST_HEAD(&zp->list);
	zp->page = zheap_page_alloc(&zb->owner, gfp);
	if (!zp->page) {
		kmem_cache_free(zbud_page_cache, zp);
		return NULL;
	}
	set_page_private(zp->page, (unsigned long)zp);
	return zp;
}

/* Put an object of @size with @handle in @zp, which has room. */
static unsigned long zbud_take(struct zbud_pool *zb, struct zbud_page *zp,
			       size_t size, unsigned long handle)
{
	enum zbud_buddy buddy;

	zbud_unfile(zb, zp);
	buddy = zp->size[ZBUD_FIRST] ? ZBUD_LAST : ZBUD_FIRST;
	zp->size[buddy] = size;
	zp->handle[buddy] = handle;
	zbud_file(zb, zp);
	return encode_loc(zp->page, buddy);
}

static int zbud_place(void *bpool, size_t size, gfp_t gfp,
		      unsigned long handle, unsigned long *loc)
{
	unsigned int grains = size_to_grains(size);
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp;

	if (!size || size > PAGE_SIZE)
		return -EINVAL;

	spin_lock(&zb->owner.lock);
	zp = zbud_find(zb, grains);
	if (!zp) {
		/* The new page takes the object even if room appeared. */
		spin_unlock(&zb->owner.lock);
		zp = zbud_page_new(zb, gfp);
		if (!zp)
			return -ENOMEM;
		spin_lock(&zb->owner.lock);
		zb->nr_descs++;
		zheap_page_publish(&zb->owner, zp->page);
	}
	*loc = zbud_take(zb, zp, size, handle);
	spin_unlock(&zb->owner.lock);
	return 0;
}

/*
 * Free @buddy of @zp; return true if the page is now empty and was
 * released (the caller frees @zp after the lock).
 */
static bool zbud_put_buddy(struct zbud_pool *zb, struct zbud_page *zp,
			   enum zbud_buddy buddy)
{
	lockdep_assert_held(&zb->owner.lock);
	zbud_unfile(zb, zp);
	zp->size[buddy] = 0;
	zp->handle[buddy] = 0;
	/* A compaction source stays off the lists until zbud_compact_end(). */
	if (zp->compacting)
		return false;
	if (zp->size[ZBUD_FIRST] || zp->size[ZBUD_LAST]) {
		zbud_file(zb, zp);
		return false;
	}
	zbud_page_release(zb, zp);
	return true;
}

static size_t zbud_release(void *bpool, unsigned long loc)
{
	enum zbud_buddy buddy = loc_buddy(loc);
	struct zbud_page *zp = loc_desc(loc);
	struct zbud_pool *zb = bpool;
	size_t size;
	bool empty;

	spin_lock(&zb->owner.lock);
	size = zp->size[buddy];
	empty = zbud_put_buddy(zb, zp, buddy);
	spin_unlock(&zb->owner.lock);

	if (empty)
		kmem_cache_free(zbud_page_cache, zp);
	return size;
}

static void *zbud_addr(struct zbud_page *zp, enum zbud_buddy buddy)
{
	void *base = page_address(zp->page);

	if (buddy == ZBUD_FIRST)
		return base;
	return base + PAGE_SIZE -
	       size_to_grains(zp->size[ZBUD_LAST]) * ZBUD_GRAIN_SIZE;
}

/* Compaction: move the lone buddy of source page @unit to best-fit room. */
static unsigned int zbud_move_unit(void *bpool, void *unit,
				   struct zheap_mover *mv)
{
	struct zbud_page *src = unit, *dst;
	struct zbud_pool *zb = bpool;
	unsigned int moved = 0;
	int buddy;

	spin_lock(&zb->owner.lock);
	for (buddy = 0; buddy < ZBUD_BUDDIES; buddy++) {
		size_t size = src->size[buddy];
		unsigned long from, to;
		void *cookie;

		if (!size)
			continue;
		cookie = zheap_mover_lock(mv, src->handle[buddy], &from);
		if (!cookie) {
			zheap_mover_stop(mv);
			break;
		}
		dst = zbud_find(zb, size_to_grains(size));
		if (!dst) {
			zheap_mover_unlock(mv, cookie, from);
			zheap_mover_stop(mv);
			break;
		}
		to = zbud_take(zb, dst, size, src->handle[buddy]);
		memcpy(zbud_addr(dst, loc_buddy(to)), zbud_addr(src, buddy),
		       size);
		/* @src is a compaction source: never freed here. */
		zbud_put_buddy(zb, src, buddy);
		zheap_mover_unlock(mv, cookie, to);
		moved++;
	}
	spin_unlock(&zb->owner.lock);
	return moved;
}

static void *zbud_map(void *bpool, unsigned long loc,
		      enum zheap_map_mode mode)
{
	return zbud_addr(loc_desc(loc), loc_buddy(loc));
}

static void zbud_unmap(void *bpool, unsigned long loc)
{
}

static size_t zbud_size(void *bpool, unsigned long loc)
{
	return loc_desc(loc)->size[loc_buddy(loc)];
}

static struct page *zbud_obj_page(void *bpool, unsigned long loc)
{
	return pfn_to_page(loc >> 1);
}

static unsigned int zbud_page_objects(void *bpool, struct page *page,
				      unsigned long *handles, unsigned int max)
{
	struct zbud_page *zp = (struct zbud_page *)page_private(page);
	struct zbud_pool *zb = bpool;
	unsigned int n = 0;
	int i;

	lockdep_assert_held(&zb->owner.lock);
	for (i = 0; i < ZBUD_BUDDIES; i++) {
		if (!zp->size[i])
			continue;
		if (n < max)
			handles[n] = zp->handle[i];
		n++;
	}
	return n;
}

static void zbud_page_replaced(void *bpool, struct page *page,
			       struct page *newpage)
{
	struct zbud_page *zp = (struct zbud_page *)page_private(page);
	struct zbud_pool *zb = bpool;
	int i;

	lockdep_assert_held(&zb->owner.lock);
	zp->page = newpage;
	set_page_private(newpage, (unsigned long)zp);
	set_page_private(page, 0);
	for (i = 0; i < ZBUD_BUDDIES; i++)
		if (zp->size[i])
			zheap_mover_relocate(zb->pool, zp->handle[i], ~0UL,
					     encode_loc(newpage, i));
}

/*
 * The page whose lone buddy is smallest becomes the source, if another
 * page has room for that buddy: pairing the smallest with the largest
 * that fits it is an optimal pairing.
 */
static int zbud_compact_source(void *bpool, unsigned int kind, void **unit)
{
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp = NULL;
	int i, nr = 0;

	if (kind)
		return -ERANGE;
	spin_lock(&zb->owner.lock);
	for (i = ZBUD_NGRAINS - 1; i > 0 && !zp; i--)
		if (!list_empty(&zb->unbuddied[i]))
			zp = list_first_entry(&zb->unbuddied[i],
					      struct zbud_page, list);
	if (!zp)
		goto out;
	zbud_unfile(zb, zp);
	if (!zbud_find(zb, ZBUD_NGRAINS - free_grains(zp))) {
		zbud_file(zb, zp);
		goto out;
	}
	zp->compacting = true;
	nr = !!zp->size[ZBUD_FIRST] + !!zp->size[ZBUD_LAST];
	*unit = zp;
out:
	spin_unlock(&zb->owner.lock);
	return nr;
}

static unsigned int zbud_compact_end(void *bpool, void *unit)
{
	struct zbud_page *zp = unit;
	struct zbud_pool *zb = bpool;
	bool empty;

	spin_lock(&zb->owner.lock);
	zp->compacting = false;
	empty = !zp->size[ZBUD_FIRST] && !zp->size[ZBUD_LAST];
	if (empty)
		zbud_page_release(zb, zp);
	else
		zbud_file(zb, zp);
	spin_unlock(&zb->owner.lock);

	if (!empty)
		return 0;
	kmem_cache_free(zbud_page_cache, zp);
	return 1;
}

/*
 * Pages that pairing lone buddies would free: the most pairs of lone
 * buddies whose grains sum to at most ZBUD_NGRAINS.  Greedy from the
 * largest: it pairs with the smallest if they fit, else it cannot pair
 * with anything and stays alone.  That greedy is optimal (exchange
 * argument), and so is the compactor's smallest-into-best-fit order.
 */
static unsigned long zbud_compactable(void *bpool)
{
	unsigned int nr[ZBUD_NGRAINS] = {}, lo = 1, hi = ZBUD_NGRAINS - 1, k;
	struct zbud_pool *zb = bpool;
	unsigned long pairs = 0;
	int i;

	/* nr[c]: lone buddies of c grains (a page with i free grains). */
	for (i = 1; i < ZBUD_NGRAINS; i++)
		nr[ZBUD_NGRAINS - i] = READ_ONCE(zb->nr_unbuddied[i]);
	while (lo <= hi) {
		if (!nr[hi]) {
			hi--;
		} else if (!nr[lo]) {
			lo++;
		} else if (lo == hi) {
			if (2 * lo <= ZBUD_NGRAINS)
				pairs += nr[lo] / 2;
			break;
		} else if (lo + hi <= ZBUD_NGRAINS) {
			k = min(nr[lo], nr[hi]);
			pairs += k;
			nr[lo] -= k;
			nr[hi] -= k;
		} else {
			nr[hi--] = 0;
		}
	}
	return pairs;
}

static u64 zbud_meta_bytes(void *bpool)
{
	struct zbud_pool *zb = bpool;

	return (u64)READ_ONCE(zb->nr_descs) * kmem_cache_size(zbud_page_cache);
}

/* An object of all but one grain leaves no room for a buddy. */
static size_t zbud_huge_size(void)
{
	return (ZBUD_NGRAINS - 1) * ZBUD_GRAIN_SIZE + 1;
}

static unsigned int zbud_size_class(void *bpool, size_t size)
{
	return size_to_grains(size);
}

/*
 * Pages by free grains: first the pages with none (two buddies, a whole
 * page object, or a compaction source, which is on no list), then the
 * pages with one buddy, by the grains it leaves free.
 */
static void zbud_show_classes(void *bpool, struct seq_file *m)
{
	struct zbud_pool *zb = bpool;
	unsigned long lone = 0;
	unsigned int i;

	seq_puts(m, "free_grains pages\n");
	/* Printing does not sleep: one consistent view, under the lock. */
	spin_lock(&zb->owner.lock);
	for (i = 1; i < ZBUD_NGRAINS; i++)
		lone += zb->nr_unbuddied[i];
	if (zb->nr_descs > lone)
		seq_printf(m, "0 %lu\n", zb->nr_descs - lone);
	for (i = 1; i < ZBUD_NGRAINS; i++)
		if (zb->nr_unbuddied[i])
			seq_printf(m, "%u %u\n", i, zb->nr_unbuddied[i]);
	spin_unlock(&zb->owner.lock);
}

static const struct zheap_backend_ops zbud_ops = {
	.create = zbud_create,
	.destroy = zbud_destroy,
	.place = zbud_place,
	.release = zbud_release,
	.map = zbud_map,
	.unmap = zbud_unmap,
	.size = zbud_size,
	.obj_page = zbud_obj_page,
	.page_objects = zbud_page_objects,
	.page_replaced = zbud_page_replaced,
	.move_unit = zbud_move_unit,
	.compact_source = zbud_compact_source,
	.compact_end = zbud_compact_end,
	.compactable = zbud_compactable,
	.meta_bytes = zbud_meta_bytes,
	.huge_size = zbud_huge_size,
	.size_class = zbud_size_class,
	.show_classes = zbud_show_classes,
};

static struct zheap_backend zbud_backend = {
	.name = "zbud",
	.owner = THIS_MODULE,
	.ops = &zbud_ops,
	/* map() is page_address(): no lock held, preemption untouched. */
	.map_can_sleep = true,
	/*
	 * Pages in runs of 64: a zbud page holds two objects, so zswap
	 * would otherwise take one page in two of those its workload frees.
	 */
	.page_run_order = ZHEAP_PAGE_RUN_ORDER_MAX,
};

static int __init zheap_zbud_init(void)
{
	int err;

	zbud_page_cache = KMEM_CACHE(zbud_page, 0);
	if (!zbud_page_cache)
		return -ENOMEM;
	err = zheap_register_backend(&zbud_backend);
	if (err)
		kmem_cache_destroy(zbud_page_cache);
	return err;
}

static void __exit zheap_zbud_exit(void)
{
	zheap_unregister_backend(&zbud_backend);
	kmem_cache_destroy(zbud_page_cache);
}

module_init(zheap_zbud_init);
module_exit(zheap_zbud_exit);

MODULE_ALIAS("zheap-backend-zbud");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap zbud backend: two objects per page");
MODULE_VERSION(ZHEAP_VERSION);
