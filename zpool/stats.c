// SPDX-License-Identifier: GPL-2.0
/*
 * zheap statistics in debugfs.
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
 * pages the last write freed.  A pool whose name is taken by another live pool gets
 * "<name>.<id>".
 */

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "zpool.h"

static struct dentry *zheap_debugfs_root;

static int pool_stats_show(struct seq_file *m, void *v)
{
	struct zheap_pool *pool = m->private;
	struct zheap_stats s;
	u64 meta;

	zheap_pool_stats(pool, &s);
	meta = s.handle_bytes + s.backend_meta_bytes + s.lru_bytes;

	seq_printf(m, "backend %s\n", pool->backend->name);
	seq_printf(m, "objects %llu\n", s.objects);
	seq_printf(m, "stored_bytes %llu\n", s.stored_bytes);
	seq_printf(m, "pool_pages %llu\n", s.pool_pages);
	seq_printf(m, "pool_bytes %llu\n", s.pool_pages * PAGE_SIZE);
	seq_printf(m, "run_pages %llu\n", s.run_pages);
	seq_printf(m, "handle_slots %llu\n", s.handle_slots);
	seq_printf(m, "handle_bytes %llu\n", s.handle_bytes);
	seq_printf(m, "backend_meta_bytes %llu\n", s.backend_meta_bytes);
	seq_printf(m, "meta_bytes_per_object %llu\n",
		   s.objects ? div64_u64(meta, s.objects) : 0);
	seq_printf(m, "malloc_ok %llu\n", s.malloc_ok);
	seq_printf(m, "malloc_fail %llu\n", s.malloc_fail);
	seq_printf(m, "frees %llu\n", s.frees);
	seq_printf(m, "bad_handles %llu\n", s.bad_handles);
	seq_printf(m, "busy_frees %llu\n", s.busy_frees);
	seq_printf(m, "page_runs %llu\n", s.page_runs);
	seq_printf(m, "pages_migrated %llu\n", s.pages_migrated);
	seq_printf(m, "migrate_busy %llu\n", s.migrate_busy);
	seq_printf(m, "isolate_refused %llu\n", s.isolate_refused);
	seq_printf(m, "compactions %llu\n", s.compactions);
	seq_printf(m, "pages_compacted %llu\n", s.pages_compacted);
	seq_printf(m, "objects_moved %llu\n", s.objects_moved);
	seq_printf(m, "compact_busy %llu\n", s.compact_busy);
	seq_printf(m, "compactable_pages %lu\n", zheap_compactable_pages(pool));
	if (!pool->lru)
		return 0;
	seq_printf(m, "lru_objects %llu\n", s.lru_objects);
	seq_printf(m, "lru_bytes %llu\n", s.lru_bytes);
	seq_printf(m, "written_back %llu\n", s.written_back);
	seq_printf(m, "wb_refused %llu\n", s.wb_refused);
	seq_printf(m, "wb_retries %llu\n", s.wb_retries);
	seq_printf(m, "wb_busy %llu\n", s.wb_busy);
	seq_printf(m, "wb_rotated %llu\n", s.wb_rotated);
	seq_printf(m, "lru_promoted %llu\n", s.lru_promoted);
	seq_printf(m, "lru_epochs %llu\n", s.lru_epochs);
	seq_printf(m, "wb_freed %llu\n", s.wb_freed);
	seq_printf(m, "limit_shrinks %llu\n", s.limit_shrinks);
	seq_printf(m, "limit_fails %llu\n", s.limit_fails);
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

void zheap_debugfs_add_pool(struct zheap_pool *pool)
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
	pool->debugfs = dir;
}

void zheap_debugfs_remove_pool(struct zheap_pool *pool)
{
	debugfs_remove_recursive(pool->debugfs);
	pool->debugfs = NULL;
}

int zheap_debugfs_init(void)
{
	zheap_debugfs_root = debugfs_create_dir("zheap", NULL);
	return 0;
}

void zheap_debugfs_exit(void)
{
	debugfs_remove_recursive(zheap_debugfs_root);
}
