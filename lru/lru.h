/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object LRU's interface to the frontend (zpool/) and the tests.
 */
#ifndef _ZHEAP_LRU_H
#define _ZHEAP_LRU_H

#include "../core/core.h"

/* lru/lru.c: the object LRU and writeback */
struct zheap_lru;
void zheap_lru_end_epoch(struct zheap_pool *pool);
struct zheap_lru *zheap_lru_create(struct zheap_pool *pool,
				   const struct zheap_lru_config *cfg);
void zheap_lru_destroy(struct zheap_pool *pool);
int zheap_lru_free(struct zheap_pool *pool, unsigned long handle);
void zheap_lru_accessed(struct zheap_pool *pool, unsigned long handle);
unsigned long zheap_lru_max_pages(struct zheap_pool *pool);
bool zheap_lru_may_write_back(gfp_t gfp);
unsigned long zheap_shrink_if_idle(struct zheap_pool *pool, unsigned long nr);
void zheap_lru_stats(struct zheap_pool *pool, struct zheap_stats *stats);
struct shrinker *zheap_lru_shrinker(struct zheap_pool *pool);

#endif /* _ZHEAP_LRU_H */
