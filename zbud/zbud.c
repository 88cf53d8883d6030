// SPDX-License-Identifier: GPL-2.0
/*
 * zheap zbud backend: at most two objects ("buddies") per page.
 *
 * A page is cut into ZBUD_NCHUNKS chunks of ZBUD_CHUNK_SIZE bytes.  The
 * first buddy starts at the page's first byte, the last buddy ends at its
 * last byte, and the free chunks lie between them.  An object of PAGE_SIZE
 * takes the whole page, as the first buddy.
 *
 * Each page has a descriptor (struct zbud_page) outside the page, reached
 * through page->private, so the whole page is available for objects and
 * the descriptor survives the page being replaced by a copy.  A page with
 * one buddy sits on unbuddied[n], n being its free chunks; a page with two
 * buddies, or with one that fills it, sits on the buddied list.  place()
 * takes the page with the least free room that fits (best fit), else a new
 * page.
 *
 * A location is (pfn << 1) | buddy.
 *
 * Locking: zbud_pool.lock (a spinlock) protects the lists and every
 * descriptor field.  map(), unmap() and size() of a live object take no
 * lock: a live object's descriptor fields do not change while it lives,
 * except through page_replaced(), whose caller excludes the object's users.
 */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <zheap_backend.h>

#define ZBUD_CHUNK_SHIFT	6
#define ZBUD_CHUNK_SIZE		BIT(ZBUD_CHUNK_SHIFT)
#define ZBUD_NCHUNKS		(PAGE_SIZE >> ZBUD_CHUNK_SHIFT)

enum zbud_buddy {
	ZBUD_FIRST,
	ZBUD_LAST,
	ZBUD_BUDDIES,
};

struct zbud_page {
	struct list_head list;
	struct page *page;
	unsigned long handle[ZBUD_BUDDIES];
	u16 size[ZBUD_BUDDIES];		/* bytes; 0 when the buddy is free */
};

struct zbud_pool {
	/* protects: unbuddied, buddied, nr_descs, every zbud_page's fields */
	spinlock_t lock;
	struct list_head unbuddied[ZBUD_NCHUNKS];
	struct list_head buddied;
	unsigned long nr_descs;
	struct zheap_pool *pool;
};

static struct kmem_cache *zbud_page_cache;

static unsigned int size_to_chunks(size_t size)
{
	return DIV_ROUND_UP(size, ZBUD_CHUNK_SIZE);
}

static unsigned int free_chunks(const struct zbud_page *zp)
{
	return ZBUD_NCHUNKS - size_to_chunks(zp->size[ZBUD_FIRST]) -
	       size_to_chunks(zp->size[ZBUD_LAST]);
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

/* Put @zp on the list that matches its free room. */
static void zbud_file(struct zbud_pool *zb, struct zbud_page *zp)
{
	unsigned int free = free_chunks(zp);

	lockdep_assert_held(&zb->lock);
	/* Two buddies, or one that fills the page: no room for another. */
	if (!free || (zp->size[ZBUD_FIRST] && zp->size[ZBUD_LAST]))
		list_add(&zp->list, &zb->buddied);
	else
		list_add(&zp->list, &zb->unbuddied[free]);
}

static void *zbud_create(struct zheap_pool *pool)
{
	struct zbud_pool *zb;
	unsigned int i;

	zb = kzalloc(sizeof(*zb), GFP_KERNEL);
	if (!zb)
		return NULL;
	spin_lock_init(&zb->lock);
	for (i = 0; i < ZBUD_NCHUNKS; i++)
		INIT_LIST_HEAD(&zb->unbuddied[i]);
	INIT_LIST_HEAD(&zb->buddied);
	zb->pool = pool;
	return zb;
}

static void zbud_page_destroy(struct zbud_pool *zb, struct zbud_page *zp)
{
	set_page_private(zp->page, 0);
	zheap_page_free(zb->pool, zp->page);
	kmem_cache_free(zbud_page_cache, zp);
}

static void zbud_destroy(void *bpool)
{
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp, *tmp;
	LIST_HEAD(all);
	unsigned int i;

	/* The frontend has released every object; anything left is a leak. */
	spin_lock(&zb->lock);
	for (i = 0; i < ZBUD_NCHUNKS; i++)
		list_splice_init(&zb->unbuddied[i], &all);
	list_splice_init(&zb->buddied, &all);
	zb->nr_descs = 0;
	spin_unlock(&zb->lock);

	WARN_ON_ONCE(!list_empty(&all));
	list_for_each_entry_safe(zp, tmp, &all, list)
		zbud_page_destroy(zb, zp);
	kfree(zb);
}

/* The fullest page with room for @chunks, or NULL. */
static struct zbud_page *zbud_find(struct zbud_pool *zb, unsigned int chunks)
{
	unsigned int i;

	lockdep_assert_held(&zb->lock);
	for (i = chunks; i < ZBUD_NCHUNKS; i++)
		if (!list_empty(&zb->unbuddied[i]))
			return list_first_entry(&zb->unbuddied[i],
						struct zbud_page, list);
	return NULL;
}

static struct zbud_page *zbud_page_new(struct zbud_pool *zb, gfp_t gfp)
{
	struct zbud_page *zp;

	gfp &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
	zp = kmem_cache_zalloc(zbud_page_cache, gfp);
	if (!zp)
		return NULL;
	zp->page = zheap_page_alloc(zb->pool, gfp);
	if (!zp->page) {
		kmem_cache_free(zbud_page_cache, zp);
		return NULL;
	}
	set_page_private(zp->page, (unsigned long)zp);
	return zp;
}

static int zbud_place(void *bpool, size_t size, gfp_t gfp,
		      unsigned long handle, unsigned long *loc)
{
	unsigned int chunks = size_to_chunks(size);
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp;
	enum zbud_buddy buddy;

	if (!size || size > PAGE_SIZE)
		return -EINVAL;

	spin_lock(&zb->lock);
	zp = zbud_find(zb, chunks);
	if (!zp) {
		/* The new page takes the object even if room appeared. */
		spin_unlock(&zb->lock);
		zp = zbud_page_new(zb, gfp);
		if (!zp)
			return -ENOMEM;
		spin_lock(&zb->lock);
		zb->nr_descs++;
	} else {
		list_del(&zp->list);
	}

	buddy = zp->size[ZBUD_FIRST] ? ZBUD_LAST : ZBUD_FIRST;
	zp->size[buddy] = size;
	zp->handle[buddy] = handle;
	zbud_file(zb, zp);
	*loc = encode_loc(zp->page, buddy);
	spin_unlock(&zb->lock);
	return 0;
}

static size_t zbud_release(void *bpool, unsigned long loc)
{
	enum zbud_buddy buddy = loc_buddy(loc);
	struct zbud_page *zp = loc_desc(loc);
	struct zbud_pool *zb = bpool;
	size_t size;
	bool empty;

	spin_lock(&zb->lock);
	size = zp->size[buddy];
	zp->size[buddy] = 0;
	zp->handle[buddy] = 0;
	list_del(&zp->list);
	empty = !zp->size[ZBUD_FIRST] && !zp->size[ZBUD_LAST];
	if (empty)
		zb->nr_descs--;
	else
		zbud_file(zb, zp);
	spin_unlock(&zb->lock);

	if (empty)
		zbud_page_destroy(zb, zp);
	return size;
}

static void *zbud_map(void *bpool, unsigned long loc,
		      enum zheap_map_mode mode)
{
	struct zbud_page *zp = loc_desc(loc);
	void *base = page_address(zp->page);

	if (loc_buddy(loc) == ZBUD_FIRST)
		return base;
	return base + PAGE_SIZE -
	       size_to_chunks(zp->size[ZBUD_LAST]) * ZBUD_CHUNK_SIZE;
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
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp;
	unsigned int n = 0;
	int i;

	spin_lock(&zb->lock);
	zp = (struct zbud_page *)page_private(page);
	for (i = 0; zp && i < ZBUD_BUDDIES; i++) {
		if (!zp->size[i])
			continue;
		if (n < max)
			handles[n] = zp->handle[i];
		n++;
	}
	spin_unlock(&zb->lock);
	return n;
}

static void zbud_page_replaced(void *bpool, struct page *page,
			       struct page *newpage,
			       void (*relocate)(struct zheap_pool *pool,
						unsigned long handle,
						unsigned long mask,
						unsigned long bits))
{
	struct zbud_pool *zb = bpool;
	struct zbud_page *zp;
	int i;

	spin_lock(&zb->lock);
	zp = (struct zbud_page *)page_private(page);
	zp->page = newpage;
	set_page_private(newpage, (unsigned long)zp);
	set_page_private(page, 0);
	for (i = 0; i < ZBUD_BUDDIES; i++)
		if (zp->size[i])
			relocate(zb->pool, zp->handle[i], ~0UL,
				 encode_loc(newpage, i));
	spin_unlock(&zb->lock);
}

static u64 zbud_meta_bytes(void *bpool)
{
	struct zbud_pool *zb = bpool;

	return (u64)READ_ONCE(zb->nr_descs) * kmem_cache_size(zbud_page_cache);
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
	.meta_bytes = zbud_meta_bytes,
};

static struct zheap_backend zbud_backend = {
	.name = "zbud",
	.owner = THIS_MODULE,
	.ops = &zbud_ops,
	/* map() is page_address(): no lock held, preemption untouched. */
	.map_can_sleep = true,
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

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap zbud backend: two objects per page");
