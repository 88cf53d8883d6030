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
 * The fields are the pool's name and backend, the figures debugfs derives
 * (pool bytes, metadata per object, compactable pages), the other fields
 * of struct zheap_stats, then every counter of zheap_counters[], each
 * under its own name; a pool without an LRU has no LRU-only ones.
 * Documentation/stats.rst lists them.
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

/*
 * Fields of struct zheap_stats other than the counters, shown as the
 * counters are: by name and offset (LRU-only ones for LRU pools only).
 */
#define SNAP(field) offsetof(struct zheap_stats, field)
static const struct zheap_counter snapshot_fields[] = {
	{ "objects", SNAP(objects), false },
	{ "pool_pages", SNAP(pool_pages), false },
	{ "run_pages", SNAP(run_pages), false },
	{ "handle_slots", SNAP(handle_slots), false },
	{ "handle_bytes", SNAP(handle_bytes), false },
	{ "backend_meta_bytes", SNAP(backend_meta_bytes), false },
	{ "lru_objects", SNAP(lru_objects), true },
	{ "lru_bytes", SNAP(lru_bytes), true },
};

#undef SNAP

#define NR_STATS_ATTRS	(ARRAY_SIZE(snapshot_fields) + NR_ZHEAP_COUNTERS)

/* One attribute per entry of snapshot_fields[] and zheap_counters[]. */
struct stats_attr {
	struct kobj_attribute ka;
	const struct zheap_counter *c;
};

static struct kset *zheap_kset;
static DEFINE_MUTEX(sysfs_lock);
static struct stats_attr *stats_attrs;
/* The group's attribute list: the fixed fields, then stats_attrs[]. */
static struct attribute **pool_attrs;

static struct zheap_pool *kobj_pool(struct kobject *kobj)
{
	return container_of(kobj, struct zheap_pool_kobj, kobj)->pool;
}

static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *ka,
			  char *buf)
{
	const struct stats_attr *sa = container_of(ka, struct stats_attr, ka);
	struct zheap_stats s;

	zheap_pool_stats(kobj_pool(kobj), &s);
	return sysfs_emit(buf, "%llu\n", zheap_stats_field(&s, sa->c->snapshot));
}

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *ka,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_pool(kobj)->backend->name);
}

static ssize_t consumer_show(struct kobject *kobj, struct kobj_attribute *ka,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_pool(kobj)->consumer);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *ka,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_pool(kobj)->name);
}

static ssize_t pool_bytes_show(struct kobject *kobj, struct kobj_attribute *ka,
			       char *buf)
{
	struct zheap_stats s;

	zheap_pool_stats(kobj_pool(kobj), &s);
	return sysfs_emit(buf, "%llu\n", s.pool_pages * PAGE_SIZE);
}

static ssize_t meta_bytes_per_object_show(struct kobject *kobj,
					  struct kobj_attribute *ka, char *buf)
{
	struct zheap_stats s;

	zheap_pool_stats(kobj_pool(kobj), &s);
	return sysfs_emit(buf, "%llu\n", zheap_stats_meta_per_object(&s));
}

static ssize_t compactable_pages_show(struct kobject *kobj,
				      struct kobj_attribute *ka, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  zheap_compactable_pages(kobj_pool(kobj)));
}

static struct kobj_attribute name_attr = __ATTR_RO(name);
static struct kobj_attribute backend_attr = __ATTR_RO(backend);
static struct kobj_attribute consumer_attr = __ATTR_RO(consumer);
static struct kobj_attribute pool_bytes_attr = __ATTR_RO(pool_bytes);
static struct kobj_attribute meta_bytes_per_object_attr =
	__ATTR_RO(meta_bytes_per_object);
static struct kobj_attribute compactable_pages_attr =
	__ATTR_RO(compactable_pages);

static struct attribute *fixed_attrs[] = {
	&name_attr.attr,
	&backend_attr.attr,
	&consumer_attr.attr,
	&pool_bytes_attr.attr,
	&meta_bytes_per_object_attr.attr,
	&compactable_pages_attr.attr,
};

/* LRU-only fields are shown for pools with an LRU only. */
static umode_t pool_attr_visible(struct kobject *kobj, struct attribute *attr,
				 int n)
{
	const struct stats_attr *sa;

	if (n < ARRAY_SIZE(fixed_attrs))
		return attr->mode;
	sa = container_of(attr, struct stats_attr, ka.attr);
	return sa->c->lru_only && !kobj_pool(kobj)->lru ? 0 : attr->mode;
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

	stats_attrs = kcalloc(NR_STATS_ATTRS, sizeof(*stats_attrs), GFP_KERNEL);
	pool_attrs = kcalloc(nfixed + NR_STATS_ATTRS + 1, sizeof(*pool_attrs),
			     GFP_KERNEL);
	if (!stats_attrs || !pool_attrs)
		goto err;
	for (i = 0; i < nfixed; i++)
		pool_attrs[i] = fixed_attrs[i];
	for (i = 0; i < NR_STATS_ATTRS; i++) {
		struct stats_attr *sa = &stats_attrs[i];

		sa->c = i < ARRAY_SIZE(snapshot_fields) ? &snapshot_fields[i] :
			&zheap_counters[i - ARRAY_SIZE(snapshot_fields)];
		sysfs_attr_init(&sa->ka.attr);
		sa->ka.attr.name = sa->c->name;
		sa->ka.attr.mode = 0444;
		sa->ka.show = stats_show;
		pool_attrs[nfixed + i] = &sa->ka.attr;
	}
	pool_group.attrs = pool_attrs;
	zheap_kset = kset_create_and_add("zheap", NULL, kernel_kobj);
	if (!zheap_kset)
		goto err;
	return 0;
err:
	kfree(pool_attrs);
	kfree(stats_attrs);
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
	kfree(stats_attrs);
}
