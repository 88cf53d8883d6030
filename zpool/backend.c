// SPDX-License-Identifier: GPL-2.0
/*
 * zheap backend registry and the zheap.backend= module parameter.
 *
 * Backends register a struct zheap_backend (ops, name, owning module).  The
 * registry gives each a small id, encoded in every handle slot of the
 * objects it holds, and registers a kernel zpool driver for it
 * ("zheap_<name>").  A pool pins its backend's module for its whole life,
 * so a backend in use cannot be unloaded.
 *
 * zheap.backend= names the backend for pools created without one and for
 * the "zheap" zpool driver.  A name that no backend answers to is an error
 * when a pool is created (after one attempt to load "zheap_<name>"), never
 * a silent fallback to another backend.
 *
 * Locking: backends_lock (a mutex) protects the backends list, the id
 * table and default_backend.
 */

#include <linux/ctype.h>
#include <linux/kmod.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "zheap_internal.h"

static DEFINE_MUTEX(backends_lock);
static LIST_HEAD(backends);
static struct zheap_backend *backend_ids[ZHEAP_MAX_BACKENDS];
static char default_backend[ZHEAP_BACKEND_NAME_MAX] = "zsmalloc";

static bool backend_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len || len >= ZHEAP_BACKEND_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!islower(name[i]) && !isdigit(name[i]) && name[i] != '_')
			return false;
	return true;
}

static struct zheap_backend *backend_find(const char *name)
{
	struct zheap_backend *b;

	lockdep_assert_held(&backends_lock);
	list_for_each_entry(b, &backends, list)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static bool all_maps_can_sleep(void)
{
	struct zheap_backend *b;

	lockdep_assert_held(&backends_lock);
	list_for_each_entry(b, &backends, list)
		if (!b->map_can_sleep)
			return false;
	return true;
}

static bool backend_ops_complete(const struct zheap_backend_ops *ops)
{
	return ops && ops->create && ops->destroy && ops->place &&
	       ops->release && ops->map && ops->unmap && ops->size &&
	       ops->obj_page && ops->page_objects && ops->page_replaced &&
	       ops->move_unit && ops->compact_source &&
	       ops->compact_end && ops->compactable && ops->meta_bytes;
}

/**
 * zheap_register_backend() - make a backend available to pools
 * @backend: name, owner and ops filled in; the rest is the registry's
 *
 * Also registers the kernel zpool driver "zheap_<name>", so zswap can use
 * the backend.
 *
 * Context: Process context.  Takes and releases the registry mutex.
 * Return: 0; -EINVAL for a bad name or missing ops; -EEXIST if the name
 * is taken; -ENOSPC if ZHEAP_MAX_BACKENDS are registered already.
 */
int zheap_register_backend(struct zheap_backend *backend)
{
	unsigned int id;
	int err;

	if (!backend->name ||
	    !backend_name_valid(backend->name, strlen(backend->name)) ||
	    !backend_ops_complete(backend->ops) ||
	    backend->page_run_order > ZHEAP_PAGE_RUN_ORDER_MAX) {
		pr_err("zheap: refusing backend \"%s\": bad name, missing ops or page_run_order\n",
		       backend->name ?: "(null)");
		return -EINVAL;
	}

	mutex_lock(&backends_lock);
	err = -EEXIST;
	if (backend_find(backend->name))
		goto err_unlock;
	err = -ENOSPC;
	for (id = 0; id < ZHEAP_MAX_BACKENDS; id++)
		if (!backend_ids[id])
			break;
	if (id == ZHEAP_MAX_BACKENDS)
		goto err_unlock;

	backend->id = id;
	err = zheap_zpool_add(backend);
	if (err)
		goto err_unlock;
	backend_ids[id] = backend;
	list_add_tail(&backend->list, &backends);
	zheap_zpool_update_default(all_maps_can_sleep());
	mutex_unlock(&backends_lock);
	pr_info("zheap: backend %s registered\n", backend->name);
	return 0;

err_unlock:
	mutex_unlock(&backends_lock);
	pr_err("zheap: cannot register backend %s: %d\n", backend->name, err);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_register_backend);

/**
 * zheap_unregister_backend() - withdraw a backend
 * @backend: a registered backend with no pools left
 *
 * Pools hold a reference on the backend's module, so this runs only once
 * the last pool on it is gone.
 *
 * Context: Process context.  Takes and releases the registry mutex.
 */
void zheap_unregister_backend(struct zheap_backend *backend)
{
	mutex_lock(&backends_lock);
	if (WARN_ON_ONCE(backend_ids[backend->id] != backend)) {
		mutex_unlock(&backends_lock);
		return;
	}
	zheap_zpool_remove(backend);
	list_del(&backend->list);
	backend_ids[backend->id] = NULL;
	zheap_zpool_update_default(all_maps_can_sleep());
	mutex_unlock(&backends_lock);
}
EXPORT_SYMBOL_GPL(zheap_unregister_backend);

static const struct zheap_backend *backend_try_get(const char *name)
{
	struct zheap_backend *b;

	mutex_lock(&backends_lock);
	b = backend_find(name);
	if (b && !try_module_get(b->owner))
		b = NULL;
	mutex_unlock(&backends_lock);
	return b;
}

/*
 * Find backend @name (NULL: the zheap.backend= default), loading module
 * zheap_<name> once if it is not registered, and pin its module.
 */
const struct zheap_backend *zheap_backend_get(const char *name)
{
	char want[ZHEAP_BACKEND_NAME_MAX];
	const struct zheap_backend *b;

	if (!name) {
		mutex_lock(&backends_lock);
		strscpy(want, default_backend, sizeof(want));
		mutex_unlock(&backends_lock);
		name = want;
	}
	if (!backend_name_valid(name, strlen(name)))
		return NULL;

	b = backend_try_get(name);
	if (!b) {
		request_module("zheap_%s", name);
		b = backend_try_get(name);
	}
	return b;
}

void zheap_backend_put(const struct zheap_backend *backend)
{
	module_put(backend->owner);
}

/*
 * Iterate over registered backends, for the contract tests: returns the
 * backend after @prev (NULL: the first), or NULL at the end.
 */
const struct zheap_backend *zheap_backend_next(const struct zheap_backend *prev)
{
	const struct zheap_backend *b = NULL;

	mutex_lock(&backends_lock);
	if (!prev)
		b = list_first_entry_or_null(&backends, struct zheap_backend,
					     list);
	else if (!list_is_last(&prev->list, &backends))
		b = list_next_entry(prev, list);
	mutex_unlock(&backends_lock);
	return b;
}

/**
 * zheap_default_backend() - the backend zheap.backend= names
 *
 * Context: Any context.
 * Return: the name; it may not be registered (yet).
 */
const char *zheap_default_backend(void)
{
	return default_backend;
}
EXPORT_SYMBOL_GPL(zheap_default_backend);

static int backend_param_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (!backend_name_valid(val, len)) {
		pr_err("zheap: backend=\"%.*s\" is not a backend name\n",
		       (int)min_t(size_t, len, 64), val);
		return -EINVAL;
	}
	mutex_lock(&backends_lock);
	memcpy(default_backend, val, len);
	default_backend[len] = '\0';
	mutex_unlock(&backends_lock);
	return 0;
}

static int backend_param_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&backends_lock);
	ret = sysfs_emit(buf, "%s\n", default_backend);
	mutex_unlock(&backends_lock);
	return ret;
}

static const struct kernel_param_ops backend_param_ops = {
	.set = backend_param_set,
	.get = backend_param_get,
};

module_param_cb(backend, &backend_param_ops, NULL, 0644);
MODULE_PARM_DESC(backend,
		 "Backend for new pools and the \"zheap\" zpool driver (default: zsmalloc); an unregistered name makes pool creation fail");
