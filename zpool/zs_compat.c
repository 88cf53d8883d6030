// SPDX-License-Identifier: GPL-2.0
/*
 * zsmalloc's API on zheap, for the 6.12 zram driver built unmodified
 * against include/zheap_zs_compat.h (which renames zs_* to zheap_zs_*).
 *
 * Each call keeps the contract of the kernel's zsmalloc function of the
 * same name: errors come back the way zram expects them (a NULL pool, an
 * ERR_PTR() value as handle), a mapping holds the object in place until
 * its unmap, and the statistics mean what zram's mm_stat says they mean.
 * A pool is a zheap pool on the default backend (zheap.backend=), so zram
 * runs on any backend.
 */

#include <zheap_zs_compat.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/zsmalloc.h>

#include "zpool.h"

/**
 * zheap_zs_create_pool() - zs_create_pool(): a pool on the default backend
 * @name: the pool's name
 *
 * Context: Process context; may sleep.
 * Return: the pool, or NULL (the reason is in the kernel log).
 */
struct zheap_pool *zheap_zs_create_pool(const char *name)
{
	struct zheap_pool *pool = zheap_pool_create_for(name, NULL,
							ZHEAP_CONSUMER_ZS);

	return IS_ERR(pool) ? NULL : pool;
}
EXPORT_SYMBOL_GPL(zheap_zs_create_pool);

/**
 * zheap_zs_destroy_pool() - zs_destroy_pool()
 * @pool: the pool
 *
 * Context: Process context; may sleep.
 */
void zheap_zs_destroy_pool(struct zheap_pool *pool)
{
	zheap_pool_destroy(pool);
}
EXPORT_SYMBOL_GPL(zheap_zs_destroy_pool);

/**
 * zheap_zs_malloc() - zs_malloc()
 * @pool: the pool
 * @size: 1..PAGE_SIZE
 * @gfp: allocation flags
 *
 * Context: As @gfp allows.
 * Return: a handle, or an ERR_PTR() value: -EINVAL for size 0, -ENOSPC
 * above PAGE_SIZE, -ENOMEM (test with IS_ERR_VALUE()).
 */
unsigned long zheap_zs_malloc(struct zheap_pool *pool, size_t size, gfp_t gfp)
{
	unsigned long handle;
	int err;

	if (size > PAGE_SIZE)
		return (unsigned long)ERR_PTR(-ENOSPC);
	err = zheap_malloc(pool, size, gfp, &handle);
	return err ? (unsigned long)ERR_PTR(err) : handle;
}
EXPORT_SYMBOL_GPL(zheap_zs_malloc);

/**
 * zheap_zs_free() - zs_free()
 * @pool: the pool
 * @handle: a handle from zheap_zs_malloc(); 0 or an error value is ignored
 *
 * Context: Process or atomic context, not an interrupt handler.
 */
void zheap_zs_free(struct zheap_pool *pool, unsigned long handle)
{
	if (IS_ERR_OR_NULL((void *)handle))
		return;
	zheap_free_when_idle(pool, handle);
}
EXPORT_SYMBOL_GPL(zheap_zs_free);

/**
 * zheap_zs_huge_class_size() - zs_huge_class_size()
 * @pool: the pool
 *
 * zram asks this once, of its first device's pool, and keeps the answer
 * for every device after (a global), so the answer must not depend on
 * the pool: it is the size from which an object takes a page of its own
 * on every registered backend (zheap_backends_huge_size()), at least
 * @pool's own zheap_huge_size().  A backend registered later with a
 * larger huge size only costs density: zram stores some objects whole
 * that it could have packed.
 *
 * Context: Any context.
 * Return: the size, at most PAGE_SIZE.
 */
size_t zheap_zs_huge_class_size(struct zheap_pool *pool)
{
	return max(zheap_huge_size(pool), zheap_backends_huge_size());
}
EXPORT_SYMBOL_GPL(zheap_zs_huge_class_size);

/**
 * zheap_zs_map_object() - zs_map_object()
 * @pool: the pool
 * @handle: the object
 * @mm: ZS_MM_RO, ZS_MM_WO or ZS_MM_RW
 *
 * As with zsmalloc, map one object at a time per context and do not sleep
 * until the unmap unless zheap_map_can_sleep() says so.
 *
 * Context: Process or atomic context, not an interrupt handler.
 * Return: the object's address (NULL, one WARN, for a dead handle).
 */
void *zheap_zs_map_object(struct zheap_pool *pool, unsigned long handle,
			  enum zs_mapmode mm)
{
	enum zheap_map_mode mode;

	switch (mm) {
	case ZS_MM_RO:
		mode = ZHEAP_MAP_RO;
		break;
	case ZS_MM_WO:
		mode = ZHEAP_MAP_WO;
		break;
	default:
		mode = ZHEAP_MAP_RW;
		break;
	}
	return zheap_map_object(pool, handle, mode);
}
EXPORT_SYMBOL_GPL(zheap_zs_map_object);

/**
 * zheap_zs_unmap_object() - zs_unmap_object()
 * @pool: the pool
 * @handle: the object mapped
 *
 * Context: The context that mapped it.
 */
void zheap_zs_unmap_object(struct zheap_pool *pool, unsigned long handle)
{
	zheap_unmap_object(pool, handle);
}
EXPORT_SYMBOL_GPL(zheap_zs_unmap_object);

/**
 * zheap_zs_get_total_pages() - zs_get_total_pages()
 * @pool: the pool
 *
 * Context: Any context.
 * Return: the pages the backend holds for objects.
 */
unsigned long zheap_zs_get_total_pages(struct zheap_pool *pool)
{
	return zheap_total_pages(pool);
}
EXPORT_SYMBOL_GPL(zheap_zs_get_total_pages);

/**
 * zheap_zs_compact() - zs_compact()
 * @pool: the pool
 *
 * Context: Process context; may sleep.
 * Return: the pages freed.
 */
unsigned long zheap_zs_compact(struct zheap_pool *pool)
{
	return zheap_compact(pool);
}
EXPORT_SYMBOL_GPL(zheap_zs_compact);

/**
 * zheap_zs_lookup_class_index() - zs_lookup_class_index()
 * @pool: the pool
 * @size: an object size
 *
 * Context: Any context.
 * Return: the backend's class for @size.
 */
unsigned int zheap_zs_lookup_class_index(struct zheap_pool *pool,
					 unsigned int size)
{
	return zheap_size_class(pool, size);
}
EXPORT_SYMBOL_GPL(zheap_zs_lookup_class_index);

/**
 * zheap_zs_pool_stats() - zs_pool_stats()
 * @pool: the pool
 * @stats: its pages_compacted is set to the pages compaction has freed
 *
 * Context: Any context.
 */
void zheap_zs_pool_stats(struct zheap_pool *pool,
			 struct zheap_zs_pool_stats *stats)
{
	struct zheap_stats s;

	zheap_pool_stats(pool, &s);
	atomic_long_set(&stats->pages_compacted, s.pages_compacted);
}
EXPORT_SYMBOL_GPL(zheap_zs_pool_stats);
