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

/* migrate/: movable_operations and compaction */
int zheap_migrate_init(void);
void zheap_migrate_exit(void);
int zheap_migrate_page(struct page *dst, struct page *src);
bool zheap_isolate_page(struct page *page);
int zheap_compact_init(struct zheap_pool *pool);
void zheap_compact_fini(struct zheap_pool *pool);
/* zheap.compact_threshold= and zheap.compact_cpu= */
extern unsigned int zheap_compact_threshold;
extern unsigned int zheap_compact_cpu;
extern u64 zheap_compact_slice_ns;
void zheap_compact_flush(struct zheap_pool *pool);
int zheap_compact_module_init(void);
void zheap_compact_module_exit(void);

#endif /* _ZHEAP_MIGRATE_H */
