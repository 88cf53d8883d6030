// SPDX-License-Identifier: GPL-2.0
/*
 * zheap statistics in debugfs.
 *
 *	/sys/kernel/debug/zheap/<pool>/stats
 *
 * one "name value" line per counter of struct zheap_stats, plus derived
 * lines (pool_bytes, meta_bytes_per_object).  Documentation/stats.rst lists
 * every field.  A pool whose name is taken by another live pool gets
 * "<name>.<id>".
 */

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "zheap_internal.h"

static struct dentry *zheap_debugfs_root;

static int pool_stats_show(struct seq_file *m, void *v)
{
	struct zheap_pool *pool = m->private;
	struct zheap_stats s;
	u64 meta;

	zheap_pool_stats(pool, &s);
	meta = s.handle_bytes + s.backend_meta_bytes;

	seq_printf(m, "backend %s\n", pool->backend->name);
	seq_printf(m, "objects %llu\n", s.objects);
	seq_printf(m, "stored_bytes %llu\n", s.stored_bytes);
	seq_printf(m, "pool_pages %llu\n", s.pool_pages);
	seq_printf(m, "pool_bytes %llu\n", s.pool_pages * PAGE_SIZE);
	seq_printf(m, "handle_slots %llu\n", s.handle_slots);
	seq_printf(m, "handle_bytes %llu\n", s.handle_bytes);
	seq_printf(m, "backend_meta_bytes %llu\n", s.backend_meta_bytes);
	seq_printf(m, "meta_bytes_per_object %llu\n",
		   s.objects ? div64_u64(meta, s.objects) : 0);
	seq_printf(m, "malloc_ok %llu\n", s.malloc_ok);
	seq_printf(m, "malloc_fail %llu\n", s.malloc_fail);
	seq_printf(m, "frees %llu\n", s.frees);
	seq_printf(m, "bad_handles %llu\n", s.bad_handles);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pool_stats);

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
