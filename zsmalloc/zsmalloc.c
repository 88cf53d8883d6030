// SPDX-License-Identifier: GPL-2.0
/*
 * zheap zsmalloc backend: size classes over spans of order-0 pages.
 *
 * Sizes are rounded up to a 16-byte grid.  Each grid size s gets a span
 * layout: p pages (1 to ZS_SPAN_PAGES, or to ZS_MAX_SPAN_PAGES for sizes
 * that ZS_SPAN_PAGES pages would hold one per page) holding
 * n = p * PAGE_SIZE / s objects laid end to end, so an object may straddle
 * two pages.  Of the layouts that waste least at the end of the span, the
 * one with the fewest pages within ZS_SPAN_TOLERANCE wins: a long span
 * packs large objects tightly (sixteen 3.75 KiB objects in fifteen pages
 * instead of one per page) but a class's last, partly filled span costs
 * more, so short spans are preferred where they are nearly as tight.  Up
 * to ZS_MAX_CLASS_SIZES consecutive grid sizes that get the same (p, n)
 * share one class, sized for the largest of them.  The reasoning and the
 * measurements behind the constants are in Documentation/zsmalloc.rst.
 *
 * A span's descriptor (struct zs_span) lives outside its pages, so every
 * page byte holds objects: no in-object header.  A class of one object a
 * page (sizes a span would not hold more of than pages) has no spans and
 * no descriptors: each object has a page of its own, a single, whose
 * private word holds the object's handle id (see ZS_SINGLE).  The
 * descriptor holds the span's pages and, per object slot, a u32: the
 * 32-bit id of the object's handle slot, or the free list link.  Every
 * page of a span points at the descriptor through page->private.  An
 * object's exact size is its class size less a slack of at most 63 bytes
 * kept in its location.
 *
 * Within a class, spans sit on ZS_GROUPS lists by how full they are, plus
 * one for full spans; allocation takes the fullest span with room, so
 * emptier spans drain.  An empty span is freed at once.
 *
 * A location is (pfn of the page the object starts in << ZS_PFN_SHIFT) |
 * (index in the span << ZS_SLACK_BITS) | (class size - object size), so
 * moving one page of a span changes the locations of the objects that
 * start in it and of no others.
 *
 * Every page of a span is movable on its own (the migration layer moves
 * it; page_replaced() swaps it in the span).  Compaction empties the
 * emptiest span of a class into the fullest ones.  When they have no room
 * left, it packs what remains of it into its lowest slots and trims it:
 * the pages past its last object go back, and the span keeps the slots
 * its remaining pages hold (@cap, @npages).  That leaves a class in the
 * pages pages_needed() gives: full spans, then one span that ends where
 * its last object does.  A trimmed span never grows again; it takes
 * objects into its own free slots, and it is the next source compaction
 * picks in its class, so a class never has two.
 *
 * Access: an object within one page is mapped by address.  One that
 * straddles two pages is copied into a per-CPU buffer on map and back on
 * unmap, with the CPU's map lock (a local_lock) held in between, so this
 * backend's map cannot sleep.  read() and write() copy in two pieces and
 * hold nothing.
 *
 * Locking: zs_class.owner.lock (a spinlock, also the migration layer's
 * owner lock for the class's pages) protects the class's lists and
 * counts and every field of its spans but the pages' contents.  Classes
 * never nest, and no pool-wide lock exists.  map, read, write and size of
 * a live object take no class lock: the caller pins the object, and a
 * pinned object's location and the span pages it lies in do not change.
 */

#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <zheap_backend.h>

#include "zs_internal.h"

#define ZS_FREE			BIT(31)
/*
 * Spans of a fullness group compaction looks at to pick its source, the
 * emptiest of them.  Looking at up to 1024 moved the same objects on the
 * bench's trace and cost 6% more time per freed page: the scan grows with
 * the group, a unit's freed pages do not.
 */
#define ZS_SOURCE_SCAN		16
#define ZS_NONE			0xffff

/*
 * A span's @group: ZS_GROUPS lists by how full it is, then the full spans;
 * beyond those, a compaction source, which is on no list.
 */
#define ZS_FULL			ZS_GROUPS
#define ZS_SOURCE		(ZS_GROUPS + 1)

struct zs_class {
	/*
	 * owner.lock protects: @groups, @partial, @spans, @pages, @slots,
	 * @objects, @trimmed, and every zs_span of the class
	 */
	struct zheap_page_owner owner;
	struct list_head groups[ZS_GROUPS + 1];	/* by fullness; last: full */
	unsigned long partial;	/* bit g set: groups[g] is not empty */
	unsigned long spans;
	unsigned long pages;	/* the spans' pages, trimmed ones' fewer */
	unsigned long slots;	/* the spans' slots, trimmed ones' fewer */
	unsigned long objects;
	struct zs_span *trimmed;	/* the class's one trimmed span, or NULL */
	const struct zs_layout *layout;
} ____cacheline_aligned_in_smp;

struct zs_pool {
	struct zheap_pool *pool;
	struct zs_class classes[];
};

struct zs_span {
	struct list_head list;
	struct zs_class *class;
	u16 inuse;
	u16 free_head;
	u16 cap;	/* slots: layout->objs, fewer once trimmed */
	u8 npages;	/* pages held: layout->pages, fewer once trimmed */
	u8 group;	/* ZS_SOURCE: a compaction source, on no list */
	/* layout->pages page pointers (npages used), then u32 ids[objs] */
	struct page *pages[];
};

struct zs_map_area {
	local_lock_t lock;
	enum zheap_map_mode mode;
	u8 *buf;
};

static DEFINE_PER_CPU(struct zs_map_area, zs_map_area) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

static struct zs_layout zs_layouts[ZS_NR_SIZES];
static unsigned int zs_nr_classes;
static u8 zs_class_of[ZS_NR_SIZES + 1];

static unsigned int span_objs(unsigned int pages, unsigned int size)
{
	return pages * PAGE_SIZE / size;
}

/* Permille of a span's bytes that objects fill with layout (p, s). */
static unsigned int span_use(unsigned int pages, unsigned int size)
{
	return span_objs(pages, size) * size * 1000ULL / (pages * PAGE_SIZE);
}

static void zs_build_classes(void)
{
	struct zs_layout chosen[ZS_NR_SIZES + 1];
	unsigned int g, p, c, end;

	for (g = 1; g <= ZS_NR_SIZES; g++) {
		unsigned int size = g * ZS_ALIGN, best = 0, most;

		/*
		 * Spans of up to ZS_SPAN_PAGES, unless that many pages would
		 * hold no more objects than pages: only then does a longer
		 * span pay for its emptier tail.
		 */
		most = span_objs(ZS_SPAN_PAGES, size) > ZS_SPAN_PAGES ?
		       ZS_SPAN_PAGES : ZS_MAX_SPAN_PAGES;
		for (p = 1; p <= most; p++)
			if (span_objs(p, size) < BIT(ZS_IDX_BITS))
				best = max(best, span_use(p, size));
		for (p = 1; p < most; p++)
			if (span_objs(p, size) < BIT(ZS_IDX_BITS) &&
			    span_use(p, size) + ZS_SPAN_TOLERANCE >= best)
				break;
		chosen[g].pages = p;
		chosen[g].objs = p * PAGE_SIZE / size;
		chosen[g].size = size;
	}

	/*
	 * Up to ZS_MAX_CLASS_SIZES consecutive grid sizes with one layout
	 * are one class, sized for the largest of them.
	 */
	zs_nr_classes = 0;
	for (g = 1; g <= ZS_NR_SIZES; g = end + 1) {
		for (end = g; end < ZS_NR_SIZES &&
		     end + 1 - g < ZS_MAX_CLASS_SIZES &&
		     chosen[end + 1].pages == chosen[g].pages &&
		     chosen[end + 1].objs == chosen[g].objs; end++)
			;
		for (c = g; c <= end; c++)
			zs_class_of[c] = zs_nr_classes;
		zs_layouts[zs_nr_classes++] = chosen[end];
	}
}

/**
 * zheap_zsmalloc_layout_for() - the class layout an object of @size goes to
 * @size: 1..PAGE_SIZE
 *
 * Context: Any context.
 * Return: the layout.
 */
const struct zs_layout *zheap_zsmalloc_layout_for(size_t size)
{
	return &zs_layouts[zs_class_of[DIV_ROUND_UP(size, ZS_ALIGN)]];
}

/**
 * zheap_zsmalloc_nr_layouts() - how many classes there are
 *
 * Context: Any context.
 * Return: the number of classes; zheap_zsmalloc_layout_nr() gives each.
 */
unsigned int zheap_zsmalloc_nr_layouts(void)
{
	return zs_nr_classes;
}

/**
 * zheap_zsmalloc_layout_nr() - class @nr's layout, classes in increasing size
 * @nr: below zheap_zsmalloc_nr_layouts()
 *
 * Context: Any context.
 * Return: the layout.
 */
const struct zs_layout *zheap_zsmalloc_layout_nr(unsigned int nr)
{
	return &zs_layouts[nr];
}

static u32 *span_ids(struct zs_span *span)
{
	return (u32 *)&span->pages[span->class->layout->pages];
}

static size_t span_bytes(const struct zs_layout *layout)
{
	return struct_size_t(struct zs_span, pages, layout->pages) +
	       layout->objs * sizeof(u32);
}

static struct page *loc_page(unsigned long loc)
{
	return pfn_to_page(loc >> ZS_PFN_SHIFT);
}

static struct zs_span *loc_span(unsigned long loc)
{
	return (struct zs_span *)page_private(loc_page(loc));
}

/*
 * A single: the one page of a class whose layout holds one object, which
 * has no descriptor.  Its private word holds the object's handle id, its
 * class's number and ZS_SINGLE (a descriptor's address never has bit 0
 * set); it is on no list: full from birth, freed when its object goes.
 */
#define ZS_SINGLE		1UL
#define ZS_SINGLE_ID_SHIFT	9	/* above the class number's 8 bits */

static_assert(ZS_NR_SIZES <= 256);

static unsigned long single_private(unsigned int class, unsigned long handle)
{
	return (unsigned long)zheap_handle_id(handle) << ZS_SINGLE_ID_SHIFT |
	       class << 1 | ZS_SINGLE;
}

static bool page_single(struct page *page)
{
	return page_private(page) & ZS_SINGLE;
}

static u32 single_id(struct page *page)
{
	return page_private(page) >> ZS_SINGLE_ID_SHIFT;
}

static struct zs_class *single_class(struct zs_pool *zp, struct page *page)
{
	return &zp->classes[(page_private(page) >> 1) & 0xff];
}

static size_t loc_slack(unsigned long loc)
{
	return loc & (BIT(ZS_SLACK_BITS) - 1);
}

static unsigned int loc_idx(unsigned long loc)
{
	return (loc >> ZS_SLACK_BITS) & (BIT(ZS_IDX_BITS) - 1);
}

static size_t loc_size(struct zs_span *span, unsigned long loc)
{
	return span->class->layout->size - loc_slack(loc);
}

/* The size of the object at @loc, a single's or a span's. */
static size_t obj_size(struct zs_pool *zp, unsigned long loc)
{
	struct page *page = loc_page(loc);

	if (page_single(page))
		return single_class(zp, page)->layout->size - loc_slack(loc);
	return loc_size((struct zs_span *)page_private(page), loc);
}

/* The page of @span in which object @idx starts. */
static unsigned int obj_page_nr(struct zs_span *span, unsigned int idx)
{
	return ((unsigned long)idx * span->class->layout->size) >> PAGE_SHIFT;
}

static unsigned long span_loc(struct zs_span *span, unsigned int idx,
			      size_t size)
{
	struct page *page = span->pages[obj_page_nr(span, idx)];

	return page_to_pfn(page) << ZS_PFN_SHIFT | idx << ZS_SLACK_BITS |
	       (span->class->layout->size - size);
}

static unsigned int fullness(struct zs_span *span)
{
	if (span->inuse == span->cap)
		return ZS_FULL;
	return span->inuse * ZS_GROUPS / span->cap;
}

/*
 * The pages @objects objects of @layout need, packed: full spans, then
 * the rest at the start of one span trimmed to the pages they reach.
 */
static unsigned long pages_needed(const struct zs_layout *layout,
				  unsigned long objects)
{
	return objects / layout->objs * layout->pages +
	       DIV_ROUND_UP(objects % layout->objs * layout->size, PAGE_SIZE);
}

static __always_inline void group_add(struct zs_class *class,
				      struct zs_span *span,
				      unsigned int group)
{
	lockdep_assert_held(&class->owner.lock);
	span->group = group;
	list_add(&span->list, &class->groups[group]);
	__set_bit(group, &class->partial);
}

static __always_inline void group_del(struct zs_class *class,
				      struct zs_span *span)
{
	lockdep_assert_held(&class->owner.lock);
	list_del(&span->list);
	if (list_empty(&class->groups[span->group]))
		__clear_bit(span->group, &class->partial);
}

/* Move @span to the group that matches how full it is. */
static __always_inline void zs_regroup(struct zs_class *class,
				       struct zs_span *span)
{
	unsigned int group = fullness(span);

	if (group != span->group) {
		group_del(class, span);
		group_add(class, span, group);
	}
}

/* The fullest span of @class with a free slot, or NULL. */
static struct zs_span *zs_find_span(struct zs_class *class)
{
	unsigned long partial = class->partial & (BIT(ZS_GROUPS) - 1);

	lockdep_assert_held(&class->owner.lock);
	if (!partial)
		return NULL;
	return list_first_entry(&class->groups[__fls(partial)],
				struct zs_span, list);
}

/* Free @span's pages; the caller kfree()s @span after the lock. */
static void zs_span_release(struct zs_span *span)
{
	struct zs_class *class = span->class;
	unsigned int i;

	lockdep_assert_held(&class->owner.lock);
	if (class->trimmed == span)
		class->trimmed = NULL;
	class->spans--;
	class->pages -= span->npages;
	class->slots -= span->cap;
	for (i = 0; i < span->npages; i++) {
		set_page_private(span->pages[i], 0);
		zheap_page_free(&class->owner, span->pages[i]);
	}
}

static struct zs_span *zs_span_new(struct zs_class *class, gfp_t gfp)
{
	const struct zs_layout *layout = class->layout;
	struct zs_span *span;
	unsigned int i;
	u32 *ids;

	span = kmalloc(span_bytes(layout), gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
	if (!span)
		return NULL;
	span->class = class;
	span->inuse = 0;
	span->free_head = 0;
	span->cap = layout->objs;
	span->npages = layout->pages;
	INIT_LIST_HEAD(&span->list);
	for (i = 0; i < layout->pages; i++) {
		span->pages[i] = zheap_page_alloc(&class->owner, gfp);
		if (!span->pages[i])
			goto err_free_pages;
		set_page_private(span->pages[i], (unsigned long)span);
	}
	ids = span_ids(span);
	for (i = 0; i < layout->objs; i++)
		ids[i] = ZS_FREE | (i + 1 < layout->objs ? i + 1 : ZS_NONE);
	return span;

err_free_pages:
	/* Not published yet: no lock needed. */
	while (i--) {
		set_page_private(span->pages[i], 0);
		zheap_page_free(&class->owner, span->pages[i]);
	}
	kfree(span);
	return NULL;
}

static void *zs_create(struct zheap_pool *pool)
{
	struct zs_pool *zp;
	unsigned int c, g;

	zp = kvzalloc(struct_size(zp, classes, zs_nr_classes), GFP_KERNEL);
	if (!zp)
		return NULL;
	zp->pool = pool;
	for (c = 0; c < zs_nr_classes; c++) {
		struct zs_class *class = &zp->classes[c];

		zheap_page_owner_init(&class->owner, pool);
		for (g = 0; g <= ZS_GROUPS; g++)
			INIT_LIST_HEAD(&class->groups[g]);
		class->layout = &zs_layouts[c];
	}
	return zp;
}

static void zs_destroy(void *bpool)
{
	struct zs_pool *zp = bpool;
	struct zs_span *span, *tmp;
	unsigned int c, g;
	LIST_HEAD(all);

	/* The frontend has released every object: anything left leaked. */
	for (c = 0; c < zs_nr_classes; c++) {
		struct zs_class *class = &zp->classes[c];
		LIST_HEAD(left);

		spin_lock(&class->owner.lock);
		for (g = 0; g <= ZS_GROUPS; g++)
			list_splice_init(&class->groups[g], &left);
		class->partial = 0;
		/* Singles are on no list: the frontend's drain released them. */
		WARN_ONCE(!list_empty(&left) ||
			  (class->layout->objs == 1 && class->spans),
			  "zsmalloc: pool destroyed still holding objects (class %u, %lu spans)\n",
			  c, class->spans);
		list_for_each_entry(span, &left, list)
			zs_span_release(span);
		spin_unlock(&class->owner.lock);
		list_splice(&left, &all);
	}
	/*
	 * A migration callback may have found a released page's owner just
	 * before: owners and descriptors go a grace period later.
	 */
	if (!list_empty(&all))
		synchronize_rcu();
	list_for_each_entry_safe(span, tmp, &all, list)
		kfree(span);
	kvfree(zp);
}

/* Put an object of @size with @handle in @span, which has room. */
/*
 * Give @handle a free slot of @span and return its location, leaving the
 * span in the group it was in: the caller regroups it.
 */
static unsigned long zs_take_slot(struct zs_class *class, struct zs_span *span,
				  size_t size, unsigned long handle)
{
	unsigned int idx = span->free_head;
	u32 *ids = span_ids(span);

	lockdep_assert_held(&class->owner.lock);
	span->free_head = ids[idx] & ~ZS_FREE;
	ids[idx] = zheap_handle_id(handle);
	span->inuse++;
	class->objects++;
	return span_loc(span, idx, size);
}

static unsigned long zs_take(struct zs_class *class, struct zs_span *span,
			     size_t size, unsigned long handle)
{
	unsigned long loc = zs_take_slot(class, span, size, handle);

	zs_regroup(class, span);
	return loc;
}

static struct zs_class *size_class(struct zs_pool *zp, size_t size)
{
	return &zp->classes[zs_class_of[DIV_ROUND_UP(size, ZS_ALIGN)]];
}

/* Place an object of a class of one object a page on a single of its own. */
static int zs_place_single(struct zs_pool *zp, struct zs_class *class,
			   size_t size, gfp_t gfp, unsigned long handle,
			   unsigned long *loc)
{
	struct page *page = zheap_page_alloc(&class->owner, gfp);

	if (!page)
		return -ENOMEM;
	set_page_private(page, single_private(class - zp->classes, handle));
	spin_lock(&class->owner.lock);
	zheap_page_publish(&class->owner, page);
	class->spans++;
	class->pages++;
	class->slots++;
	class->objects++;
	spin_unlock(&class->owner.lock);
	*loc = page_to_pfn(page) << ZS_PFN_SHIFT | (class->layout->size - size);
	return 0;
}

static int zs_place(void *bpool, size_t size, gfp_t gfp, unsigned long handle,
		    unsigned long *loc)
{
	struct zs_pool *zp = bpool;
	struct zs_class *class;
	struct zs_span *span;
	unsigned int i;

	if (!size || size > PAGE_SIZE)
		return -EINVAL;
	class = size_class(zp, size);
	if (class->layout->objs == 1)
		return zs_place_single(zp, class, size, gfp, handle, loc);

	spin_lock(&class->owner.lock);
	span = zs_find_span(class);
	if (!span) {
		spin_unlock(&class->owner.lock);
		span = zs_span_new(class, gfp);
		if (!span)
			return -ENOMEM;
		/*
		 * Another CPU may have made room meanwhile, but the new span
		 * takes this object anyway: freeing it again would waste the
		 * page allocations, and under contention that is most of them.
		 */
		spin_lock(&class->owner.lock);
		for (i = 0; i < class->layout->pages; i++)
			zheap_page_publish(&class->owner, span->pages[i]);
		group_add(class, span, 0);
		class->spans++;
		class->pages += span->npages;
		class->slots += span->cap;
	}
	*loc = zs_take(class, span, size, handle);
	spin_unlock(&class->owner.lock);
	return 0;
}

/*
 * Free slot @idx of @span; return true if the span is now empty and was
 * released (the caller kfree()s it after the lock).  Inlined with the
 * group moves: together they are the backend's share of every free.
 */
static __always_inline bool zs_put_slot(struct zs_span *span,
					unsigned int idx)
{
	struct zs_class *class = span->class;

	lockdep_assert_held(&class->owner.lock);
	span_ids(span)[idx] = ZS_FREE | span->free_head;
	span->free_head = idx;
	span->inuse--;
	class->objects--;
	/* A compaction source waits for zs_compact_end(). */
	if (span->group == ZS_SOURCE)
		return false;
	if (span->inuse) {
		zs_regroup(class, span);
		return false;
	}
	group_del(class, span);
	zs_span_release(span);
	return true;
}

static size_t zs_release_single(struct zs_pool *zp, struct page *page,
				unsigned long loc)
{
	struct zs_class *class = single_class(zp, page);
	size_t size = class->layout->size - loc_slack(loc);

	spin_lock(&class->owner.lock);
	class->spans--;
	class->pages--;
	class->slots--;
	class->objects--;
	set_page_private(page, 0);
	zheap_page_free(&class->owner, page);
	spin_unlock(&class->owner.lock);
	return size;
}

static size_t zs_release(void *bpool, unsigned long loc)
{
	struct page *page = loc_page(loc);
	struct zs_span *span;
	struct zs_class *class;
	size_t size;
	bool empty;

	if (page_single(page))
		return zs_release_single(bpool, page, loc);
	span = (struct zs_span *)page_private(page);
	class = span->class;
	size = loc_size(span, loc);

	spin_lock(&class->owner.lock);
	empty = zs_put_slot(span, loc_idx(loc));
	spin_unlock(&class->owner.lock);

	if (empty)
		kfree(span);
	return size;
}

/* Where object @idx of @span starts: page number and offset in it. */
static void obj_pos(struct zs_span *span, unsigned int idx,
		    unsigned int *page, unsigned int *off)
{
	unsigned long start = (unsigned long)idx * span->class->layout->size;

	*page = start >> PAGE_SHIFT;
	*off = offset_in_page(start);
}

static void zs_copy_out(struct zs_span *span, unsigned int idx, void *dst,
			size_t len)
{
	unsigned int page, off;
	size_t first;

	obj_pos(span, idx, &page, &off);
	first = min_t(size_t, len, PAGE_SIZE - off);
	memcpy(dst, page_address(span->pages[page]) + off, first);
	if (len > first)
		memcpy(dst + first, page_address(span->pages[page + 1]),
		       len - first);
}

static void zs_copy_in(struct zs_span *span, unsigned int idx,
		       const void *src, size_t len)
{
	unsigned int page, off;
	size_t first;

	obj_pos(span, idx, &page, &off);
	first = min_t(size_t, len, PAGE_SIZE - off);
	memcpy(page_address(span->pages[page]) + off, src, first);
	if (len > first)
		memcpy(page_address(span->pages[page + 1]), src + first,
		       len - first);
}

/* Copy @len bytes of object @si of @src to object @di of @dst. */
static void zs_copy_obj(struct zs_span *dst, unsigned int di,
			struct zs_span *src, unsigned int si, size_t len)
{
	unsigned int sp, so, dp, dof;

	obj_pos(src, si, &sp, &so);
	obj_pos(dst, di, &dp, &dof);
	while (len) {
		size_t n = min3(len, PAGE_SIZE - (size_t)so,
				PAGE_SIZE - (size_t)dof);

		memcpy(page_address(dst->pages[dp]) + dof,
		       page_address(src->pages[sp]) + so, n);
		len -= n;
		so += n;
		dof += n;
		if (so == PAGE_SIZE) {
			sp++;
			so = 0;
		}
		if (dof == PAGE_SIZE) {
			dp++;
			dof = 0;
		}
	}
}

/*
 * Compaction: move the objects of source span @unit, its last ones first,
 * into the fullest other spans of its class, all under one hold of the
 * class lock.  Like the kernel's zsmalloc, fill one destination until it
 * is full and file it in its group then, not after every object.  When the
 * other spans have no room left, pack the objects still in @unit into its
 * lowest free slots instead, so that zs_compact_end() can give back the
 * pages past them.  Packing leaves @unit's free list as it was:
 * zs_compact_end() rebuilds it.
 */
static unsigned int zs_move_unit(void *bpool, void *unit,
				 struct zheap_mover *mv)
{
	struct zs_span *src = unit, *dst = NULL;
	struct zs_class *class = src->class;
	unsigned int idx = src->cap, lo = 0, moved = 0;
	struct zs_pool *zp = bpool;
	u32 *ids = span_ids(src);
	bool pack = false;

	spin_lock(&class->owner.lock);
	while (idx-- > 0 && src->inuse) {
		unsigned long handle, from, to;
		size_t size;
		void *cookie;

		if (ids[idx] & ZS_FREE)
			continue;
		if (!pack && (!dst || dst->inuse == dst->cap)) {
			if (dst)
				zs_regroup(class, dst);
			dst = zs_find_span(class);
			pack = !dst;
		}
		if (pack) {
			while (lo < idx && !(ids[lo] & ZS_FREE))
				lo++;
			if (lo == idx)
				break;
		}
		handle = zheap_handle_by_id(zp->pool, ids[idx]);
		cookie = zheap_mover_lock(mv, handle, &from);
		if (!cookie) {
			zheap_mover_stop(mv);
			break;
		}
		size = loc_size(src, from);
		if (pack) {
			ids[lo] = ids[idx];
			ids[idx] = ZS_FREE | ZS_NONE;
			to = span_loc(src, lo, size);
			zs_copy_obj(src, lo, src, idx, size);
		} else {
			to = zs_take_slot(class, dst, size, handle);
			zs_copy_obj(dst, loc_idx(to), src, idx, size);
			/* @src is a compaction source: never freed here. */
			zs_put_slot(src, idx);
		}
		zheap_mover_unlock(mv, cookie, to);
		moved++;
	}
	if (dst)
		zs_regroup(class, dst);
	spin_unlock(&class->owner.lock);
	return moved;
}

/*
 * Does the object of @span at @loc cross a page boundary?  Where it starts
 * goes to *@page (the span's page number) and *@off.
 */
static bool span_straddles(struct zs_span *span, unsigned long loc,
			   unsigned int *page, unsigned int *off)
{
	obj_pos(span, loc_idx(loc), page, off);
	return *off + loc_size(span, loc) > PAGE_SIZE;
}

/**
 * zheap_zsmalloc_straddles() - does the object at @loc cross a page boundary?
 * @loc: a live object's location
 *
 * Context: Any context.
 * Return: true if it does.
 */
bool zheap_zsmalloc_straddles(unsigned long loc)
{
	unsigned int page, off;

	if (page_single(loc_page(loc)))
		return false;
	return span_straddles(loc_span(loc), loc, &page, &off);
}

static void *zs_map(void *bpool, unsigned long loc, enum zheap_map_mode mode)
{
	unsigned int idx = loc_idx(loc), page, off;
	struct zs_map_area *area;
	struct zs_span *span;

	if (page_single(loc_page(loc)))
		return page_address(loc_page(loc));
	span = loc_span(loc);
	if (!span_straddles(span, loc, &page, &off))
		return page_address(span->pages[page]) + off;
	local_lock(&zs_map_area.lock);
	area = this_cpu_ptr(&zs_map_area);
	area->mode = mode;
	if (mode != ZHEAP_MAP_WO)
		zs_copy_out(span, idx, area->buf, loc_size(span, loc));
	return area->buf;
}

static void zs_unmap(void *bpool, unsigned long loc)
{
	struct zs_span *span = loc_span(loc);
	unsigned int idx = loc_idx(loc);
	struct zs_map_area *area;

	if (!zheap_zsmalloc_straddles(loc))
		return;
	area = this_cpu_ptr(&zs_map_area);
	if (area->mode != ZHEAP_MAP_RO)
		zs_copy_in(span, idx, area->buf, loc_size(span, loc));
	local_unlock(&zs_map_area.lock);
}

static int zs_read(void *bpool, unsigned long loc, void *dst, size_t len)
{
	struct zs_span *span = loc_span(loc);

	if (len > obj_size(bpool, loc))
		return -EINVAL;
	if (page_single(loc_page(loc)))
		memcpy(dst, page_address(loc_page(loc)), len);
	else
		zs_copy_out(span, loc_idx(loc), dst, len);
	return 0;
}

static int zs_write(void *bpool, unsigned long loc, const void *src,
		    size_t len)
{
	struct zs_span *span = loc_span(loc);

	if (len > obj_size(bpool, loc))
		return -EINVAL;
	if (page_single(loc_page(loc)))
		memcpy(page_address(loc_page(loc)), src, len);
	else
		zs_copy_in(span, loc_idx(loc), src, len);
	return 0;
}

static size_t zs_size(void *bpool, unsigned long loc)
{
	return obj_size(bpool, loc);
}

static struct page *zs_obj_page(void *bpool, unsigned long loc)
{
	return loc_page(loc);
}

static unsigned int span_page_nr(struct zs_span *span, struct page *page)
{
	unsigned int i;

	for (i = 0; i < span->npages; i++)
		if (span->pages[i] == page)
			break;
	return i;
}

static unsigned int zs_page_objects(void *bpool, struct page *page,
				    unsigned long *handles, unsigned int max)
{
	struct zs_span *span = (struct zs_span *)page_private(page);
	unsigned int nr, first, last, idx, n = 0;
	const struct zs_layout *layout;
	struct zs_pool *zp = bpool;
	struct zs_class *class;
	u32 *ids;

	if (page_single(page)) {
		lockdep_assert_held(&single_class(zp, page)->owner.lock);
		if (max)
			handles[0] = zheap_handle_by_id(zp->pool,
							single_id(page));
		return 1;
	}
	class = span->class;
	layout = class->layout;
	lockdep_assert_held(&class->owner.lock);
	nr = span_page_nr(span, page);
	first = nr * PAGE_SIZE / layout->size;
	last = min_t(unsigned int, ((nr + 1) * PAGE_SIZE - 1) / layout->size,
		     span->cap - 1);
	ids = span_ids(span);
	for (idx = first; idx <= last; idx++) {
		if (ids[idx] & ZS_FREE)
			continue;
		if (n < max)
			handles[n] = zheap_handle_by_id(zp->pool, ids[idx]);
		n++;
	}
	return n;
}

static void zs_page_replaced(void *bpool, struct page *page,
			     struct page *newpage)
{
	struct zs_span *span = (struct zs_span *)page_private(page);
	unsigned long pfn_mask = ~0UL << ZS_PFN_SHIFT;
	const struct zs_layout *layout;
	struct zs_pool *zp = bpool;
	struct zs_class *class;
	unsigned int nr, idx;
	u32 *ids;

	if (page_single(page)) {
		lockdep_assert_held(&single_class(zp, page)->owner.lock);
		set_page_private(newpage, page_private(page));
		set_page_private(page, 0);
		zheap_mover_relocate(zp->pool,
				     zheap_handle_by_id(zp->pool,
							single_id(newpage)),
				     pfn_mask,
				     page_to_pfn(newpage) << ZS_PFN_SHIFT);
		return;
	}
	class = span->class;
	layout = class->layout;
	lockdep_assert_held(&class->owner.lock);
	nr = span_page_nr(span, page);
	span->pages[nr] = newpage;
	set_page_private(newpage, (unsigned long)span);
	set_page_private(page, 0);
	/* Only objects that start in this page name it in their location. */
	ids = span_ids(span);
	for (idx = DIV_ROUND_UP(nr * PAGE_SIZE, layout->size);
	     idx < span->cap && obj_page_nr(span, idx) == nr; idx++)
		if (!(ids[idx] & ZS_FREE))
			zheap_mover_relocate(zp->pool,
					     zheap_handle_by_id(zp->pool, ids[idx]),
					     pfn_mask,
					     page_to_pfn(newpage) << ZS_PFN_SHIFT);
}

/*
 * The span with the fewest objects among the first ZS_SOURCE_SCAN of
 * @group: a group spans an eighth of a span's objects, and emptying the
 * emptiest of them copies fewest objects per freed span.
 */
static struct zs_span *zs_emptiest(struct list_head *group)
{
	struct zs_span *span, *best = NULL;
	unsigned int seen = 0;

	list_for_each_entry(span, group, list) {
		if (!best || span->inuse < best->inuse)
			best = span;
		if (++seen == ZS_SOURCE_SCAN || best->inuse == 1)
			break;
	}
	return best;
}

/*
 * Unless @class holds no more than it needs: its trimmed span, so that a
 * class never has two (two could not be merged: neither grows again), or
 * else its emptiest span.
 */
static struct zs_span *zs_find_source(struct zs_class *class)
{
	unsigned long partial = class->partial & (BIT(ZS_GROUPS) - 1);

	lockdep_assert_held(&class->owner.lock);
	if (class->pages <= pages_needed(class->layout, class->objects))
		return NULL;
	if (class->trimmed)
		return class->trimmed;
	if (!partial)
		return NULL;
	return zs_emptiest(&class->groups[__ffs(partial)]);
}

static int zs_compact_source(void *bpool, unsigned int kind, void **unit)
{
	struct zs_pool *zp = bpool;
	struct zs_class *class;
	struct zs_span *span;
	int nr = 0;

	if (kind >= zs_nr_classes)
		return -ERANGE;
	class = &zp->classes[kind];
	/* Most classes have nothing to give: say so without their lock. */
	if (READ_ONCE(class->pages) <=
	    pages_needed(class->layout, READ_ONCE(class->objects)))
		return 0;
	spin_lock(&class->owner.lock);
	span = zs_find_source(class);
	if (span) {
		group_del(class, span);
		span->group = ZS_SOURCE;
		nr = span->inuse;
		*unit = span;
	}
	spin_unlock(&class->owner.lock);
	return nr;
}

/*
 * Give back the pages of compaction source @span past its last object,
 * and rebuild its free list over the slots left, lowest first.  Returns
 * the pages freed.
 */
static unsigned int zs_trim(struct zs_span *span)
{
	struct zs_class *class = span->class;
	const struct zs_layout *layout = class->layout;
	unsigned int last, npages, cap, i, freed;
	u32 *ids = span_ids(span);

	lockdep_assert_held(&class->owner.lock);
	for (last = span->cap; ids[last - 1] & ZS_FREE; last--)
		;
	npages = DIV_ROUND_UP(last * layout->size, PAGE_SIZE);
	freed = span->npages - npages;
	if (freed) {
		cap = npages * PAGE_SIZE / layout->size;
		for (i = npages; i < span->npages; i++) {
			set_page_private(span->pages[i], 0);
			zheap_page_free(&class->owner, span->pages[i]);
			span->pages[i] = NULL;
		}
		for (i = cap; i < span->cap; i++)
			ids[i] = ZS_FREE | ZS_NONE;
		class->pages -= freed;
		class->slots -= span->cap - cap;
		span->npages = npages;
		span->cap = cap;
		class->trimmed = span;
	}
	span->free_head = ZS_NONE;
	for (i = span->cap; i-- > 0; )
		if (ids[i] & ZS_FREE) {
			ids[i] = ZS_FREE | span->free_head;
			span->free_head = i;
		}
	return freed;
}

static unsigned int zs_compact_end(void *bpool, void *unit)
{
	struct zs_span *span = unit;
	struct zs_class *class = span->class;
	unsigned int freed;
	bool empty;

	spin_lock(&class->owner.lock);
	empty = !span->inuse;
	if (empty) {
		freed = span->npages;
		zs_span_release(span);
	} else {
		freed = zs_trim(span);
		group_add(class, span, fullness(span));
	}
	spin_unlock(&class->owner.lock);

	if (empty)
		kfree(span);
	return freed;
}

/* Per class: its pages less the pages its objects need, packed. */
static unsigned long zs_compactable(void *bpool)
{
	struct zs_pool *zp = bpool;
	unsigned long pages = 0;
	unsigned int c;

	for (c = 0; c < zs_nr_classes; c++) {
		struct zs_class *class = &zp->classes[c];
		unsigned long held = READ_ONCE(class->pages);
		unsigned long need = pages_needed(class->layout,
						  READ_ONCE(class->objects));

		if (held > need)
			pages += held - need;
	}
	return pages;
}

/*
 * The descriptors of every span, as kmalloc() rounds them: counted from
 * each class's spans when asked, so that a span's birth and death pay
 * for no shared counter.
 */
static u64 zs_meta_bytes(void *bpool)
{
	struct zs_pool *zp = bpool;
	u64 bytes = 0;
	unsigned int c;

	for (c = 0; c < zs_nr_classes; c++) {
		const struct zs_class *class = &zp->classes[c];

		/* A single has no descriptor. */
		if (class->layout->objs == 1)
			continue;
		bytes += (u64)READ_ONCE(class->spans) *
			 kmalloc_size_roundup(span_bytes(class->layout));
	}
	return bytes;
}

/* The first class that holds no more objects than it has pages. */
static size_t zs_huge_size(void)
{
	unsigned int c;

	for (c = 1; c < zs_nr_classes; c++)
		if (zs_layouts[c].objs <= zs_layouts[c].pages)
			return zs_layouts[c - 1].size + 1;
	return PAGE_SIZE;
}

static unsigned int zs_size_class(void *bpool, size_t size)
{
	return zheap_zsmalloc_layout_for(clamp_t(size_t, size, 1, PAGE_SIZE)) - zs_layouts;
}

/* One line per class with spans: its layout, spans and objects. */
static void zs_show_classes(void *bpool, struct seq_file *m)
{
	struct zs_pool *zp = bpool;
	unsigned long spans, pages, slots, objects;
	unsigned int c;

	seq_puts(m, "class size span_pages span_objs spans objects pages slots\n");
	for (c = 0; c < zs_nr_classes; c++) {
		struct zs_class *class = &zp->classes[c];

		spin_lock(&class->owner.lock);
		spans = class->spans;
		pages = class->pages;
		slots = class->slots;
		objects = class->objects;
		spin_unlock(&class->owner.lock);
		if (!spans && !objects)
			continue;
		seq_printf(m, "%u %u %u %u %lu %lu %lu %lu\n", c,
			   class->layout->size, class->layout->pages,
			   class->layout->objs, spans, objects, pages, slots);
	}
}

static const struct zheap_backend_ops zs_ops = {
	.create = zs_create,
	.destroy = zs_destroy,
	.place = zs_place,
	.release = zs_release,
	.map = zs_map,
	.unmap = zs_unmap,
	.read = zs_read,
	.write = zs_write,
	.size = zs_size,
	.obj_page = zs_obj_page,
	.page_objects = zs_page_objects,
	.page_replaced = zs_page_replaced,
	.move_unit = zs_move_unit,
	.compact_source = zs_compact_source,
	.compact_end = zs_compact_end,
	.compactable = zs_compactable,
	.meta_bytes = zs_meta_bytes,
	.huge_size = zs_huge_size,
	.size_class = zs_size_class,
	.show_classes = zs_show_classes,
};

static struct zheap_backend zs_backend = {
	.name = "zsmalloc",
	.owner = THIS_MODULE,
	.ops = &zs_ops,
	/* Straddling objects are mapped under a local_lock. */
	.map_can_sleep = false,
	/*
	 * No page runs (yet): not measured for spans, and zram's
	 * mem_used_total, which zheap_zram must keep at or below zram.ko's,
	 * would count a page run's unused pages.
	 */
	.page_run_order = 0,
};

static void zs_free_buffers(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu_ptr(&zs_map_area, cpu)->buf);
		per_cpu_ptr(&zs_map_area, cpu)->buf = NULL;
	}
}

static int __init zheap_zsmalloc_init(void)
{
	unsigned int cpu;
	int err;

	zs_build_classes();
	for_each_possible_cpu(cpu) {
		u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

		if (!buf) {
			zs_free_buffers();
			return -ENOMEM;
		}
		per_cpu_ptr(&zs_map_area, cpu)->buf = buf;
	}
	err = zheap_register_backend(&zs_backend);
	if (err)
		zs_free_buffers();
	return err;
}

static void __exit zheap_zsmalloc_exit(void)
{
	zheap_unregister_backend(&zs_backend);
	zs_free_buffers();
}

module_init(zheap_zsmalloc_init);
module_exit(zheap_zsmalloc_exit);

MODULE_ALIAS("zheap-backend-zsmalloc");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap zsmalloc backend: size classes over multi-page spans");
MODULE_VERSION(ZHEAP_VERSION);
