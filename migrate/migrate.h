/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration layer's interface to the frontend (zpool/) and the tests,
 * and what its own files share (zheap_mops).
 */
#ifndef _ZHEAP_MIGRATE_H
#define _ZHEAP_MIGRATE_H

#include <linux/migrate.h>

#include "../core/core.h"

extern const struct movable_operations zheap_mops;

/* migrate/: page ownership, movable_operations, compaction */
void zheap_migrate_exit(void);
struct zheap_page_owner *zheap_page_owner_of(struct page *page);
void zheap_pages_flush_deferred(void);
/*
 * A pool takes runs (migrate/page.c) only once it holds this many pages:
 * a smaller one would leave most of a run unused.
 */
#define ZHEAP_RUN_MIN_PAGES	BIT(ZHEAP_PAGE_RUN_ORDER_MAX)

void zheap_pages_release_deferred(bool wait);
unsigned long zheap_page_run_release(struct zheap_pool *pool);
int zheap_migrate_page(struct page *dst, struct page *src);
bool zheap_isolate_page(struct page *page);
int zheap_compact_init(struct zheap_pool *pool);
void zheap_compact_fini(struct zheap_pool *pool);
extern atomic_long_t zheap_pages_deferred;

#endif /* _ZHEAP_MIGRATE_H */
