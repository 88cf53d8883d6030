/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the migration layer (migrate/).
 */
#ifndef _ZHEAP_MIGRATE_H
#define _ZHEAP_MIGRATE_H

#include <linux/migrate.h>

extern const struct movable_operations zheap_mops;

#endif /* _ZHEAP_MIGRATE_H */
