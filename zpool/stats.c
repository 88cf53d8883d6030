// SPDX-License-Identifier: GPL-2.0
/*
 * zheap statistics: the snapshot (zheap_pool_stats()) and debugfs.
 *
 *	/sys/kernel/debug/zheap/<pool>/stats
 *
 * one "name value" line per counter of struct zheap_stats, plus derived
 * lines (pool_bytes, meta_bytes_per_object, compactable_pages).
 * Documentation/stats.rst lists every field.
 *
 *	/sys/kernel/debug/zheap/<pool>/compact
 *
 * writing anything runs zheap_compact() on the pool; reading it shows the
 * pages the last write freed.
 *
 *	/sys/kernel/debug/zheap/<pool>/walk
 *
 * reading it visits every object (zheap_pool_walk()) and prints what it
 * found beside what the counters say, then "consistent 1" or
 * "consistent 0".  Only a walk of a pool that nobody uses meanwhile is
 * exact: the stress venue reads it once its workload has stopped.
 *
 * A pool whose name is taken by another live pool gets "<name>.<id>".
 */

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "zpool.h"

static struct dentry *zheap_debugfs_root;

/*
 * Every per-CPU counter's name in the stats file, where zheap_pool_stats()
 * reports it in struct zheap_stats, and whether only LRU pools show it.
 * The enum is in core/core.h; make lint checks each name against the
 * field and Documentation/stats.rst.
 */
#define SNAP(field) offsetof(struct zheap_stats, field)
const struct zheap_counter zheap_counters[NR_ZHEAP_COUNTERS] = {
	[ZHEAP_C_STORED_BYTES] = { "stored_bytes", SNAP(stored_bytes), false },
	[ZHEAP_C_MALLOC_OK] = { "malloc_ok", SNAP(malloc_ok), false },
	[ZHEAP_C_MALLOC_FAIL] = { "malloc_fail", SNAP(malloc_fail), false },
	[ZHEAP_C_FREES] = { "frees", SNAP(frees), false },
	[ZHEAP_C_BAD_HANDLES] = { "bad_handles", SNAP(bad_handles), false },
	[ZHEAP_C_BUSY_FREES] = { "busy_frees", SNAP(busy_frees), false },
	[ZHEAP_C_LOCKLESS_FREES] = { "lockless_frees", SNAP(lockless_frees), false },
	[ZHEAP_C_PAGE_RUNS] = { "page_runs", SNAP(page_runs), false },
	[ZHEAP_C_PAGES_MIGRATED] = { "pages_migrated", SNAP(pages_migrated), false },
	[ZHEAP_C_MIGRATE_BUSY] = { "migrate_busy", SNAP(migrate_busy), false },
	[ZHEAP_C_ISOLATE_REFUSED] = { "isolate_refused", SNAP(isolate_refused), false },
	[ZHEAP_C_COMPACTIONS] = { "compactions", SNAP(compactions), false },
	[ZHEAP_C_PAGES_COMPACTED] = { "pages_compacted", SNAP(pages_compacted), false },
	[ZHEAP_C_OBJECTS_MOVED] = { "objects_moved", SNAP(objects_moved), false },
	[ZHEAP_C_COMPACT_BUSY] = { "compact_busy", SNAP(compact_busy), false },
	[ZHEAP_C_BG_COMPACTIONS] = { "bg_compactions", SNAP(bg_compactions), false },
	[ZHEAP_C_BG_PAGES_COMPACTED] = { "bg_pages_compacted", SNAP(bg_pages_compacted), false },
	[ZHEAP_C_BG_COMPACT_NS] = { "bg_compact_ns", SNAP(bg_compact_ns), false },
	[ZHEAP_C_WRITTEN_BACK] = { "written_back", SNAP(written_back), true },
	[ZHEAP_C_WB_REFUSED] = { "wb_refused", SNAP(wb_refused), true },
	[ZHEAP_C_WB_RETRIES] = { "wb_retries", SNAP(wb_retries), true },
	[ZHEAP_C_WB_BUSY] = { "wb_busy", SNAP(wb_busy), true },
	[ZHEAP_C_WB_ROTATED] = { "wb_rotated", SNAP(wb_rotated), true },
	[ZHEAP_C_LRU_PROMOTED] = { "lru_promoted", SNAP(lru_promoted), true },
	[ZHEAP_C_LRU_EPOCHS] = { "lru_epochs", SNAP(lru_epochs), true },
	[ZHEAP_C_WB_FREED] = { "wb_freed", SNAP(wb_freed), true },
	[ZHEAP_C_LIMIT_SHRINKS] = { "limit_shrinks", SNAP(limit_shrinks), true },
	[ZHEAP_C_LIMIT_FAILS] = { "limit_fails", SNAP(limit_fails), true },
};

/**
 * zheap_pool_stats() - read a pool's counters
 * @pool: the pool
 * @stats: filled in
 *
 * The counters are read one by one without a lock: each is exact, but a
 * snapshot taken while other calls run need not be consistent as a whole.
 *
 * Context: Any context.
 */
void zheap_pool_stats(struct zheap_pool *pool, struct zheap_stats *stats)
{
	unsigned long sum[NR_ZHEAP_COUNTERS] = {};
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct zheap_pcpu_stats *c = per_cpu_ptr(pool->stats, cpu);

		for (i = 0; i < NR_ZHEAP_COUNTERS; i++)
			sum[i] += READ_ONCE(c->c[i]);
	}
	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < NR_ZHEAP_COUNTERS; i++)
		*(u64 *)((char *)stats + zheap_counters[i].snapshot) = sum[i];
	/*
	 * A free counted on one CPU may be read before the malloc it frees
	 * was counted on another: a difference below 0 is read as 0, not
	 * as a count near 2^64.
	 */
	stats->objects = max_t(long, stats->malloc_ok - stats->frees, 0);
	stats->stored_bytes = max_t(long, stats->stored_bytes, 0);
	stats->pool_pages = atomic_long_read(&pool->pages);
	stats->run_pages = READ_ONCE(pool->run_left);
	stats->handle_slots = zheap_handles_used(pool);
	stats->handle_bytes = zheap_handle_bytes(pool);
	stats->backend_meta_bytes = pool->backend->ops->meta_bytes(pool->bpool);
	zheap_lru_stats(pool, stats);
}
EXPORT_SYMBOL_GPL(zheap_pool_stats);

#undef SNAP

struct walk_handles {
	unsigned long *handles;
	unsigned long nr, max, missed;
};

static void walk_collect(unsigned long handle, void *arg)
{
	struct walk_handles *wh = arg;

	if (wh->nr < wh->max)
		wh->handles[wh->nr++] = handle;
	else
		wh->missed++;
}

/* Pin the object @handle names and check where the backend says it is. */
static void walk_object(struct zheap_pool *pool, unsigned long handle,
			struct zheap_walk *w, struct xarray *pages)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;
	struct zheap_page_owner *owner;
	unsigned long loc, pfn;
	struct page *page;

	if (!zheap_object_pin(pool, handle, &loc)) {
		w->raced++;
		return;
	}
	w->objects++;
	w->bytes += ops->size(pool->bpool, loc);
	page = ops->obj_page(pool->bpool, loc);
	/* The pin keeps the object, so its page, where it is. */
	owner = zheap_page_owner_of(page);
	if (!owner || owner->pool != pool)
		w->foreign++;
	pfn = page_to_pfn(page);
	zheap_pool_unpin(pool, handle);
	if (!xa_insert(pages, pfn, xa_mk_value(0), GFP_KERNEL))
		w->pages++;
}

/**
 * zheap_pool_walk() - count a pool's objects one by one
 * @pool: the pool
 * @w: filled in: what the walk found, and the counters beside it
 *
 * Visits every live handle slot, pins each object in turn and asks the
 * backend where it is: its page must be a zheap page of @pool.  Then it
 * reads the counters that should agree (zheap_walk_consistent()).  A
 * pool in use meanwhile gives a walk that differs by what raced it.
 *
 * Context: Process context; may sleep.  Allocates memory for the handles
 * and pages it visits, and frees it.
 * Return: 0, or -ENOMEM.
 */
int zheap_pool_walk(struct zheap_pool *pool, struct zheap_walk *w)
{
	struct walk_handles wh = {};
	struct zheap_stats s;
	struct xarray pages;
	unsigned long i;

	memset(w, 0, sizeof(*w));
	/* Room for slots that become live while the walk runs. */
	wh.max = zheap_handles_used(pool) + 1024;
	wh.handles = kvmalloc_array(wh.max, sizeof(*wh.handles), GFP_KERNEL);
	if (!wh.handles)
		return -ENOMEM;
	w->chunks = zheap_slots_walk(pool, walk_collect, &wh);
	w->raced = wh.missed;

	xa_init(&pages);
	for (i = 0; i < wh.nr; i++) {
		walk_object(pool, wh.handles[i], w, &pages);
		cond_resched();
	}
	xa_destroy(&pages);
	kvfree(wh.handles);

	zheap_pool_stats(pool, &s);
	w->counted = s.objects;
	w->slots = s.handle_slots;
	w->chunks_counted = zheap_handle_chunks(pool);
	w->pool_pages = s.pool_pages;
	w->stored_bytes = s.stored_bytes;
	return 0;
}

/**
 * zheap_walk_consistent() - do a walk and the counters agree?
 * @w: from zheap_pool_walk()
 *
 * Context: Any context.
 * Return: true if the objects found are those counted and those whose
 * slots are in use, every chunk was visited, every object was found in
 * one of the pool's pages, no more pages hold objects than the pool
 * counts, the sizes found add up to the bytes counted, and nothing raced.
 */
bool zheap_walk_consistent(const struct zheap_walk *w)
{
	return w->objects == w->counted && w->objects == w->slots &&
	       w->chunks == w->chunks_counted && w->pages <= w->pool_pages &&
	       w->bytes == w->stored_bytes && !w->foreign && !w->raced;
}

/* The per-CPU counters of one group (LRU-only or not), in table order. */
static void show_counters(struct seq_file *m, const struct zheap_stats *s,
			  bool lru_only)
{
	unsigned int i;

	for (i = 0; i < NR_ZHEAP_COUNTERS; i++)
		if (zheap_counters[i].lru_only == lru_only)
			seq_printf(m, "%s %llu\n", zheap_counters[i].name,
				   zheap_stats_field(s, zheap_counters[i].snapshot));
}

/* Every byte of metadata (handles, the backend's, the LRU's) per object. */
u64 zheap_stats_meta_per_object(const struct zheap_stats *s)
{
	u64 meta = s->handle_bytes + s->backend_meta_bytes + s->lru_bytes;

	return s->objects ? div64_u64(meta, s->objects) : 0;
}

static int pool_stats_show(struct seq_file *m, void *v)
{
	struct zheap_pool *pool = m->private;
	struct zheap_stats s;

	zheap_pool_stats(pool, &s);

	seq_printf(m, "backend %s\n", pool->backend->name);
	seq_printf(m, "consumer %s\n", pool->consumer);
	seq_printf(m, "objects %llu\n", s.objects);
	seq_printf(m, "pool_pages %llu\n", s.pool_pages);
	seq_printf(m, "pool_bytes %llu\n", s.pool_pages * PAGE_SIZE);
	seq_printf(m, "run_pages %llu\n", s.run_pages);
	seq_printf(m, "handle_slots %llu\n", s.handle_slots);
	seq_printf(m, "handle_bytes %llu\n", s.handle_bytes);
	seq_printf(m, "backend_meta_bytes %llu\n", s.backend_meta_bytes);
	seq_printf(m, "meta_bytes_per_object %llu\n",
		   zheap_stats_meta_per_object(&s));
	seq_printf(m, "compactable_pages %lu\n", zheap_compactable_pages(pool));
	show_counters(m, &s, false);
	if (!pool->lru)
		return 0;
	seq_printf(m, "lru_objects %llu\n", s.lru_objects);
	seq_printf(m, "lru_bytes %llu\n", s.lru_bytes);
	show_counters(m, &s, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pool_stats);

static int compact_get(void *data, u64 *val)
{
	struct zheap_pool *pool = data;

	*val = READ_ONCE(pool->last_compacted);
	return 0;
}

static int compact_set(void *data, u64 val)
{
	struct zheap_pool *pool = data;

	WRITE_ONCE(pool->last_compacted, zheap_compact(pool));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(compact_fops, compact_get, compact_set, "%llu\n");

static int pool_walk_show(struct seq_file *m, void *v)
{
	struct zheap_pool *pool = m->private;
	struct zheap_walk w;
	int err;

	err = zheap_pool_walk(pool, &w);
	if (err)
		return err;
	seq_printf(m, "walked_objects %llu\n", w.objects);
	seq_printf(m, "objects %llu\n", w.counted);
	seq_printf(m, "handle_slots %llu\n", w.slots);
	seq_printf(m, "walked_chunks %llu\n", w.chunks);
	seq_printf(m, "handle_chunks %llu\n", w.chunks_counted);
	seq_printf(m, "walked_pages %llu\n", w.pages);
	seq_printf(m, "pool_pages %llu\n", w.pool_pages);
	seq_printf(m, "walked_bytes %llu\n", w.bytes);
	seq_printf(m, "stored_bytes %llu\n", w.stored_bytes);
	seq_printf(m, "foreign_objects %llu\n", w.foreign);
	seq_printf(m, "raced %llu\n", w.raced);
	seq_printf(m, "consistent %d\n", zheap_walk_consistent(&w));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pool_walk);

static int pool_classes_show(struct seq_file *m, void *v)
{
	struct zheap_pool *pool = m->private;

	pool->backend->ops->show_classes(pool->bpool, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pool_classes);

static void debugfs_add_pool(struct zheap_pool *pool)
{
	char name[48];
	struct dentry *dir;

	if (IS_ERR_OR_NULL(zheap_debugfs_root))
		return;
	dir = debugfs_create_dir(pool->name, zheap_debugfs_root);
	if (IS_ERR(dir)) {
		snprintf(name, sizeof(name), "%s.%u", pool->name, pool->id);
		dir = debugfs_create_dir(name, zheap_debugfs_root);
	}
	if (IS_ERR(dir))
		return;
	debugfs_create_file("stats", 0444, dir, pool, &pool_stats_fops);
	debugfs_create_file_unsafe("compact", 0644, dir, pool, &compact_fops);
	debugfs_create_file("walk", 0400, dir, pool, &pool_walk_fops);
	if (pool->backend->ops->show_classes)
		debugfs_create_file("classes", 0444, dir, pool,
				    &pool_classes_fops);
	pool->debugfs = dir;
}

/* A new pool's statistics: debugfs (root's) and sysfs (anyone's). */
void zheap_stats_add_pool(struct zheap_pool *pool)
{
	debugfs_add_pool(pool);
	zheap_sysfs_add_pool(pool);
}

void zheap_stats_remove_pool(struct zheap_pool *pool)
{
	zheap_sysfs_remove_pool(pool);
	debugfs_remove_recursive(pool->debugfs);
	pool->debugfs = NULL;
}

int zheap_stats_init(void)
{
	int err;

	zheap_debugfs_root = debugfs_create_dir("zheap", NULL);
	err = zheap_sysfs_init();
	if (err)
		debugfs_remove_recursive(zheap_debugfs_root);
	return err;
}

void zheap_stats_exit(void)
{
	zheap_sysfs_exit();
	debugfs_remove_recursive(zheap_debugfs_root);
}
