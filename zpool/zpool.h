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

/* zpool/backend_param.c: zheap.backend= */
const struct zheap_backend *zheap_backend_get_or_default(const char *name);

/* zpool/stats.c */
struct zheap_counter {
	const char *name;
	size_t snapshot;	/* offset in struct zheap_stats */
	bool lru_only;
};

extern const struct zheap_counter zheap_counters[NR_ZHEAP_COUNTERS];

int zheap_debugfs_init(void);
void zheap_debugfs_exit(void);
void zheap_debugfs_add_pool(struct zheap_pool *pool);
void zheap_debugfs_remove_pool(struct zheap_pool *pool);

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
