// SPDX-License-Identifier: GPL-2.0
/*
 * zheap's per-pool statistics in sysfs, readable by anyone:
 * /sys/kernel/zheap/<pool>/<field>, one value per file.
 *
 * debugfs (zpool/stats.c) is for root and for developers; these are what
 * a monitor (zheapstat, btop, a desktop tracker) reads without
 * privileges, as users read zram's mm_stat.  One value per file, sysfs's
 * rule, rather than one line of many as mm_stat: zheap's counters are
 * read one by one without a lock (zheap_pool_stats()), so a line of them
 * would be no more consistent than files read one after the other, and
 * a file per field can gain fields without breaking a parser.
 *
 * The fields are the pool's backend, its derived figures (objects, pool
 * pages and bytes, metadata, compactable pages), then every counter of
 * zheap_counters[] under its own name; a pool without an LRU has no
 * LRU-only ones.  Documentation/stats.rst lists them.
 *
 * A pool's directory is its name, or "<name>.<id>" if a pool of that name
 * already has one (as in debugfs).  Locking: sysfs_lock (a mutex) makes
 * the lookup of a name and the directory's creation one step.  The
 * directory is removed before the pool is torn down; kernfs waits for
 * readers still in a show() before the removal returns, so a show()
 * never sees a pool being destroyed.
 */

#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "zpool.h"

struct zheap_pool_kobj {
	struct kobject kobj;
	struct zheap_pool *pool;
};

/* One attribute per counter of zheap_counters[], made at init. */
struct counter_attr {
	struct kobj_attribute ka;
	unsigned int idx;
};

static struct kset *zheap_kset;
static DEFINE_MUTEX(sysfs_lock);
static struct counter_attr *counter_attrs;
/* The groups' attribute lists: the fixed fields, then the counters. */
static struct attribute **pool_attrs;

static struct zheap_pool *kobj_pool(struct kobject *kobj)
{
	return container_of(kobj, struct zheap_pool_kobj, kobj)->pool;
}

static u64 field(const struct zheap_stats *s, size_t offset)
{
	return *(const u64 *)((const char *)s + offset);
}

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *ka,
			    char *buf)
{
	const struct counter_attr *ca = container_of(ka, struct counter_attr,
						     ka);
	struct zheap_stats s;

	zheap_pool_stats(kobj_pool(kobj), &s);
	return sysfs_emit(buf, "%llu\n",
			  field(&s, zheap_counters[ca->idx].snapshot));
}

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *ka,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_pool(kobj)->backend->name);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *ka,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_pool(kobj)->name);
}

/* The derived fields, as debugfs's stats shows them. */
enum derived {
	D_OBJECTS,
	D_POOL_PAGES,
	D_POOL_BYTES,
	D_RUN_PAGES,
	D_HANDLE_SLOTS,
	D_HANDLE_BYTES,
	D_BACKEND_META_BYTES,
	D_META_BYTES_PER_OBJECT,
	D_COMPACTABLE_PAGES,
	D_LRU_OBJECTS,
	D_LRU_BYTES,
};

static u64 derived(struct zheap_pool *pool, enum derived d)
{
	struct zheap_stats s;
	u64 meta;

	if (d == D_COMPACTABLE_PAGES)
		return zheap_compactable_pages(pool);
	zheap_pool_stats(pool, &s);
	meta = s.handle_bytes + s.backend_meta_bytes + s.lru_bytes;
	switch (d) {
	case D_OBJECTS:
		return s.objects;
	case D_POOL_PAGES:
		return s.pool_pages;
	case D_POOL_BYTES:
		return s.pool_pages * PAGE_SIZE;
	case D_RUN_PAGES:
		return s.run_pages;
	case D_HANDLE_SLOTS:
		return s.handle_slots;
	case D_HANDLE_BYTES:
		return s.handle_bytes;
	case D_BACKEND_META_BYTES:
		return s.backend_meta_bytes;
	case D_META_BYTES_PER_OBJECT:
		return s.objects ? div64_u64(meta, s.objects) : 0;
	case D_LRU_OBJECTS:
		return s.lru_objects;
	case D_LRU_BYTES:
		return s.lru_bytes;
	default:
		return 0;
	}
}

#define DERIVED_ATTR(_name, _d)						\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *ka, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n", derived(kobj_pool(kobj), _d));	\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RO(_name)

DERIVED_ATTR(objects, D_OBJECTS);
DERIVED_ATTR(pool_pages, D_POOL_PAGES);
DERIVED_ATTR(pool_bytes, D_POOL_BYTES);
DERIVED_ATTR(run_pages, D_RUN_PAGES);
DERIVED_ATTR(handle_slots, D_HANDLE_SLOTS);
DERIVED_ATTR(handle_bytes, D_HANDLE_BYTES);
DERIVED_ATTR(backend_meta_bytes, D_BACKEND_META_BYTES);
DERIVED_ATTR(meta_bytes_per_object, D_META_BYTES_PER_OBJECT);
DERIVED_ATTR(compactable_pages, D_COMPACTABLE_PAGES);
DERIVED_ATTR(lru_objects, D_LRU_OBJECTS);
DERIVED_ATTR(lru_bytes, D_LRU_BYTES);
static struct kobj_attribute backend_attr = __ATTR_RO(backend);
static struct kobj_attribute name_attr = __ATTR_RO(name);

static struct attribute *fixed_attrs[] = {
	&name_attr.attr,
	&backend_attr.attr,
	&objects_attr.attr,
	&pool_pages_attr.attr,
	&pool_bytes_attr.attr,
	&run_pages_attr.attr,
	&handle_slots_attr.attr,
	&handle_bytes_attr.attr,
	&backend_meta_bytes_attr.attr,
	&meta_bytes_per_object_attr.attr,
	&compactable_pages_attr.attr,
	&lru_objects_attr.attr,
	&lru_bytes_attr.attr,
};

/* LRU-only fields are shown for pools with an LRU only. */
static umode_t pool_attr_visible(struct kobject *kobj, struct attribute *attr,
				 int n)
{
	bool lru_only;

	if (attr == &lru_objects_attr.attr || attr == &lru_bytes_attr.attr) {
		lru_only = true;
	} else if (n >= ARRAY_SIZE(fixed_attrs)) {
		n -= ARRAY_SIZE(fixed_attrs);
		lru_only = zheap_counters[n].lru_only;
	} else {
		lru_only = false;
	}
	return lru_only && !kobj_pool(kobj)->lru ? 0 : attr->mode;
}

static struct attribute_group pool_group = {
	.is_visible = pool_attr_visible,
};

static const struct attribute_group *pool_groups[] = {
	&pool_group,
	NULL,
};

static void pool_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct zheap_pool_kobj, kobj));
}

static const struct kobj_type pool_ktype = {
	.release = pool_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = pool_groups,
};

/**
 * zheap_sysfs_add_pool() - give a pool its directory of statistics
 * @pool: a pool that is ready for zheap_pool_stats()
 *
 * A pool without one (no memory, no sysfs) works as well; only its
 * statistics are missing there.
 *
 * Context: Process context; may sleep.  Takes sysfs_lock.
 */
void zheap_sysfs_add_pool(struct zheap_pool *pool)
{
	struct zheap_pool_kobj *pk;
	struct kobject *dup;
	int err;

	if (!zheap_kset)
		return;
	pk = kzalloc(sizeof(*pk), GFP_KERNEL);
	if (!pk)
		return;
	pk->pool = pool;
	pk->kobj.kset = zheap_kset;
	mutex_lock(&sysfs_lock);
	dup = kset_find_obj(zheap_kset, pool->name);
	if (dup) {
		kobject_put(dup);
		err = kobject_init_and_add(&pk->kobj, &pool_ktype, NULL,
					   "%s.%u", pool->name, pool->id);
	} else {
		err = kobject_init_and_add(&pk->kobj, &pool_ktype, NULL, "%s",
					   pool->name);
	}
	mutex_unlock(&sysfs_lock);
	if (err) {
		kobject_put(&pk->kobj);
		return;
	}
	pool->sysfs = pk;
}

/**
 * zheap_sysfs_remove_pool() - remove a pool's directory
 * @pool: the pool, before its teardown
 *
 * Context: Process context; may sleep (waits for readers in a show()).
 */
void zheap_sysfs_remove_pool(struct zheap_pool *pool)
{
	struct zheap_pool_kobj *pk = pool->sysfs;

	if (!pk)
		return;
	pool->sysfs = NULL;
	mutex_lock(&sysfs_lock);
	kobject_del(&pk->kobj);
	mutex_unlock(&sysfs_lock);
	kobject_put(&pk->kobj);
}

/**
 * zheap_sysfs_init() - make /sys/kernel/zheap and the counters' attributes
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zheap_sysfs_init(void)
{
	unsigned int i, nfixed = ARRAY_SIZE(fixed_attrs);

	counter_attrs = kcalloc(NR_ZHEAP_COUNTERS, sizeof(*counter_attrs),
				GFP_KERNEL);
	pool_attrs = kcalloc(nfixed + NR_ZHEAP_COUNTERS + 1,
			     sizeof(*pool_attrs), GFP_KERNEL);
	if (!counter_attrs || !pool_attrs)
		goto err;
	for (i = 0; i < nfixed; i++)
		pool_attrs[i] = fixed_attrs[i];
	for (i = 0; i < NR_ZHEAP_COUNTERS; i++) {
		struct counter_attr *ca = &counter_attrs[i];

		sysfs_attr_init(&ca->ka.attr);
		ca->ka.attr.name = zheap_counters[i].name;
		ca->ka.attr.mode = 0444;
		ca->ka.show = counter_show;
		ca->idx = i;
		pool_attrs[nfixed + i] = &ca->ka.attr;
	}
	pool_group.attrs = pool_attrs;
	zheap_kset = kset_create_and_add("zheap", NULL, kernel_kobj);
	if (!zheap_kset)
		goto err;
	return 0;
err:
	kfree(pool_attrs);
	kfree(counter_attrs);
	return -ENOMEM;
}

/**
 * zheap_sysfs_exit() - remove /sys/kernel/zheap
 *
 * Context: Module exit, once every pool is gone.
 */
void zheap_sysfs_exit(void)
{
	kset_unregister(zheap_kset);
	zheap_kset = NULL;
	kfree(pool_attrs);
	kfree(counter_attrs);
}
