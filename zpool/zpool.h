/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to zheap's frontend (zpool/) and its tests.
 */
#ifndef _ZHEAP_ZPOOL_H
#define _ZHEAP_ZPOOL_H

#include "../core/core.h"
#include "../lru/lru.h"
#include "../migrate/migrate.h"

/* zpool/pool.c: for zs_free() and zpool_free(), which return nothing */
void zheap_free_when_idle(struct zheap_pool *pool, unsigned long handle);

/*
 * Who made a pool (pool->consumer; the "consumer" statistic): the zpool
 * bridge (kernel zswap, 6.12's only zpool user), the zs_* calls (zram),
 * or a caller of zheap_pool_create*() itself.
 */
#define ZHEAP_CONSUMER_ZPOOL	"zswap"
#define ZHEAP_CONSUMER_ZS	"zram"
#define ZHEAP_CONSUMER_DIRECT	"direct"

struct zheap_pool *zheap_pool_create_for(const char *name, const char *backend,
					 const char *consumer);

/* zpool/backend_param.c: zheap.backend= */
const struct zheap_backend *zheap_backend_get_or_default(const char *name);

/* zpool/stats.c */
struct zheap_counter {
	const char *name;
	size_t snapshot;	/* offset in struct zheap_stats */
	bool lru_only;
};

extern const struct zheap_counter zheap_counters[NR_ZHEAP_COUNTERS];

/* The field of @s at @offset (a struct zheap_counter's snapshot). */
static inline u64 zheap_stats_field(const struct zheap_stats *s,
				    size_t offset)
{
	return *(const u64 *)((const char *)s + offset);
}

u64 zheap_stats_meta_per_object(const struct zheap_stats *s);

/**
 * struct zheap_walk - what zheap_pool_walk() found, beside the counters
 * @objects: live objects found by visiting every handle slot
 * @counted: the pool's count of objects, read after the walk
 * @slots: the handle table's count of slots in use
 * @chunks: chunk pages visited
 * @chunks_counted: the handle table's count of chunk pages
 * @pages: distinct pages in which an object starts
 * @pool_pages: the pool's count of pages (an object may straddle into a
 *	page in which none starts, so @pages may be lower, never higher)
 * @bytes: sum of the sizes the backend holds for the objects found
 * @stored_bytes: the pool's count of bytes asked for (equals @bytes)
 * @foreign: objects whose page is not one of the pool's zheap pages
 * @raced: live slots that were freed before the walk could pin them
 */
struct zheap_walk {
	u64 objects;
	u64 counted;
	u64 slots;
	u64 chunks;
	u64 chunks_counted;
	u64 pages;
	u64 pool_pages;
	u64 bytes;
	u64 stored_bytes;
	u64 foreign;
	u64 raced;
};

int zheap_pool_walk(struct zheap_pool *pool, struct zheap_walk *w);
bool zheap_walk_consistent(const struct zheap_walk *w);
void zheap_pool_unpin(struct zheap_pool *pool, unsigned long handle);
/* debugfs, and sysfs through zpool/sysfs.c */
int zheap_stats_init(void);
void zheap_stats_exit(void);
void zheap_stats_add_pool(struct zheap_pool *pool);
void zheap_stats_remove_pool(struct zheap_pool *pool);

/* zpool/sysfs.c: /sys/kernel/zheap/<pool>/, readable by anyone */
int zheap_sysfs_init(void);
void zheap_sysfs_exit(void);
void zheap_sysfs_add_pool(struct zheap_pool *pool);
void zheap_sysfs_remove_pool(struct zheap_pool *pool);

/* zpool/zpool_bridge.c: a kernel zpool driver for every backend */
#if IS_ENABLED(CONFIG_ZPOOL)
int zheap_zpool_init(void);
void zheap_zpool_exit(void);
int zheap_zpool_add(const struct zheap_backend *backend);
void zheap_zpool_remove(const struct zheap_backend *backend);
void zheap_zpool_update_default(bool map_can_sleep);
#else
static inline int zheap_zpool_init(void) { return 0; }
static inline void zheap_zpool_exit(void) { }
static inline int zheap_zpool_add(const struct zheap_backend *backend)
{
	return 0;
}

static inline void zheap_zpool_remove(const struct zheap_backend *backend) { }
static inline void zheap_zpool_update_default(bool map_can_sleep) { }
#endif

#endif /* _ZHEAP_ZPOOL_H */
